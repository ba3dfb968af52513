import busboy from "busboy";

/** One part of a multipart/form-data body: a field's text, or a file's name, size and type. */
export type FormPart =
  | { field: string; value: string }
  | { field: string; file: { name: string; size: number; contentType: string } };

/**
 * Parses a multipart/form-data body as a real API server would, leniently: grammY writes
 * `content-disposition:form-data;name="x";filename=notes.txt` (no spaces, unquoted
 * filename), which Telegram accepts and Node 22's built-in `Response.formData()` refuses.
 */
export function parseMultipart(raw: Buffer, contentType: string): Promise<FormPart[]> {
  return new Promise((resolve, reject) => {
    const parts: FormPart[] = [];
    const parser = busboy({ headers: { "content-type": contentType } });
    parser.on("field", (field, value) => parts.push({ field, value }));
    parser.on("file", (field, stream, info) => {
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
      });
      stream.on("end", () => {
        parts.push({ field, file: { name: info.filename, size, contentType: info.mimeType } });
      });
    });
    parser.on("close", () => resolve(parts));
    parser.on("error", reject);
    parser.end(raw);
  });
}
