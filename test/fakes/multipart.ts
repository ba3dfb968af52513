import busboy from "busboy";

/** One part of a multipart/form-data body: a field's text, or a file's name, size and type. */
export type FormPart =
  | { field: string; value: string }
  | { field: string; file: { name: string; size: number; contentType: string; data: Buffer } };

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
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
      });
      stream.on("end", () => {
        const data = Buffer.concat(chunks);
        parts.push({
          field,
          file: { name: info.filename, size: data.length, contentType: info.mimeType, data },
        });
      });
    });
    parser.on("close", () => resolve(parts));
    parser.on("error", reject);
    parser.end(raw);
  });
}
