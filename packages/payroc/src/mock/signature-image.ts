/**
 * The signature every fake signature capture returns: a 32x12 greyscale PNG of a wavy stroke, drawn for tillkit
 * (base64, as the API sends images).
 */
export const SIGNATURE_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAMCAAAAAAmf+BlAAAARklEQVR42pWQSQ4AIAgD5/+fxpi41PZA5GBwgLJQjfGVwDSL43G8JNQMkd1edPPFU3Q0RBlFrK9NK+8evmJfTr/cXlB7yQEyWz/PnJwVgQAAAABJRU5ErkJggg=='
