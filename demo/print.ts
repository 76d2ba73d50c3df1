/** Terminal output for the demo: colours only on a TTY, times relative to each flow's start. */
const tty = process.stdout.isTTY && !process.env.NO_COLOR
const code = (open: number, close: number) => (s: string) =>
  tty ? `\x1b[${open}m${s}\x1b[${close}m` : s

export const paint = {
  bold: code(1, 22),
  dim: code(2, 22),
  green: code(32, 39),
  yellow: code(33, 39),
  cyan: code(36, 39),
}

export const pounds = (pence: number) => `£${(pence / 100).toFixed(2)}`

export function section(title: string) {
  console.log(`\n${paint.bold(paint.cyan('▸ ' + title))}`)
}

export function step(who: string, what: string) {
  console.log(`  ${paint.dim(who.padEnd(12))} ${what}`)
}

/** Prints each terminal notification with the time since the flow started. */
export function timeline() {
  const started = performance.now()
  return (notification: string) => {
    const at = ((performance.now() - started) / 1000).toFixed(1).padStart(5)
    console.log(`  ${paint.dim(`+${at}s`)}       ${notification}`)
  }
}
