/** qrcode-terminal ships no types; this is the one call we use. */
declare module "qrcode-terminal" {
  const qrcode: {
    generate(input: string, opts: { small?: boolean }, callback: (rendered: string) => void): void;
  };
  export default qrcode;
}
