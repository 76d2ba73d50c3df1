/**
 * The schema makes `Idempotency-Key` a required header of every money-moving POST, because the gateway requires it.
 * The client fills it in (a fresh UUID v4) when the caller leaves it out, so the typed client takes it as optional.
 */
type OptionalHeaders<Op> = Op extends { parameters: { header: infer H } }
  ? Omit<Op, 'parameters'> & {
      parameters: Omit<Op['parameters'], 'header'> & { header?: Partial<H> }
    }
  : Op

export type WithOptionalIdempotencyKey<Paths> = {
  [Path in keyof Paths]: {
    [Key in keyof Paths[Path]]: Key extends 'parameters'
      ? Paths[Path][Key]
      : OptionalHeaders<Paths[Path][Key]>
  }
}
