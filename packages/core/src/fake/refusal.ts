/**
 * A fake cloud's model saying no. The model knows no protocol: it throws a refusal of some `kind`
 * with a sentence (and, where the provider's error body has more, `details`), and each front-end
 * maps the kind to its own status and error shape. Providers subclass it with their kinds.
 */
export class Refusal<Kind extends string, Details extends object = object> extends Error {
  override readonly name = 'Refusal'
  constructor(
    readonly kind: Kind,
    message: string,
    readonly details: Details = {} as Details,
  ) {
    super(message)
  }
}
