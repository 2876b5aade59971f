import { NotSupportedError } from '../../core/errors.js';

/** Signatures of the binary formats people most often attach, to name them in the error. */
const KNOWN_BINARY: readonly { magic: readonly number[]; kind: string }[] = [
  { magic: [0x25, 0x50, 0x44, 0x46, 0x2d], kind: 'a PDF' }, // %PDF-
  { magic: [0x50, 0x4b, 0x03, 0x04], kind: 'a ZIP-based document (docx, xlsx, pptx, zip…)' },
  { magic: [0x89, 0x50, 0x4e, 0x47], kind: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], kind: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], kind: 'a GIF image' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], kind: 'a legacy Office document (doc, xls, ppt)' },
];

function startsWith(data: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, index) => data[index] === byte);
}

function unsupported(fileId: string, filename: string, what: string): NotSupportedError {
  return new NotSupportedError(
    `file "${fileId}" (${filename}) is ${what}: the local compat store can index UTF-8 text only ` +
      '(plain text, Markdown, code, JSON, CSV, HTML…); extract its text first (e.g. pdftotext) and upload that',
    { param: 'file_id' },
  );
}

/**
 * The text of a file for indexing: UTF-8 (BOM stripped) or UTF-16 with a BOM. Anything else is
 * rejected with `not_supported`, naming the format when it is a known one (PDF, Office, images):
 * indexing decoded garbage would make search silently useless.
 *
 * @example
 * extractText(Buffer.from('héllo'), 'file-1', 'a.txt'); // 'héllo'
 */
export function extractText(data: Uint8Array, fileId: string, filename: string): string {
  const known = KNOWN_BINARY.find((entry) => startsWith(data, entry.magic));
  if (known) throw unsupported(fileId, filename, known.kind);
  if (startsWith(data, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(data);
  if (startsWith(data, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(data);
  // A NUL byte never occurs in real UTF-8 text but is common in binaries that happen to decode.
  if (data.includes(0)) throw unsupported(fileId, filename, 'binary');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw unsupported(fileId, filename, 'not UTF-8 text');
  }
}
