/**
 * The Connect specs name `Software-House-Id` and `Installer-Id` as header parameters on every operation; the client
 * sets them (and auth, and the versioned media type) once, so callers never pass them. This strips header
 * parameters from the generated `paths` types so openapi-fetch does not ask for them on each call.
 */
type StripHeaders<Op> = Op extends { parameters: infer P }
  ? Omit<Op, 'parameters'> & { parameters: Omit<P, 'header'> & { header?: never } }
  : Op

export type WithoutHeaderParams<Paths> = {
  [Path in keyof Paths]: {
    [Key in keyof Paths[Path]]: Key extends 'parameters'
      ? Omit<Paths[Path][Key], 'header'> & { header?: never }
      : StripHeaders<Paths[Path][Key]>
  }
}
