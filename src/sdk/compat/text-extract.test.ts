import { describe, expect, it } from 'vitest';
import { extractText } from './text-extract.js';

describe('extractText', () => {
  it('decodes UTF-8 (dropping a BOM) and UTF-16 with a BOM', () => {
    expect(extractText(Buffer.from('Grüße 東京'), 'f', 'a.txt')).toBe('Grüße 東京');
    expect(extractText(Buffer.from('\uFEFFhi'), 'f', 'a.txt')).toBe('hi');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße', 'utf16le')]);
    expect(extractText(utf16, 'f', 'a.txt')).toBe('Grüße');
  });

  it('refuses PDFs, images and other binaries with not_supported, saying what the file is', () => {
    expect(() => extractText(Buffer.from('%PDF-1.7\n...'), 'file-1', 'report.pdf')).toThrow(
      /file "file-1" \(report\.pdf\) is a PDF: the local compat store can index UTF-8 text only/,
    );
    expect(() => extractText(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d]), 'f', 'a.png')).toThrow(/PNG image/);
    expect(() => extractText(Buffer.from([0x41, 0x00, 0x42]), 'f', 'a.bin')).toThrow(/is binary/);
    expect(() => extractText(Buffer.from([0xc3, 0x28]), 'f', 'latin1.txt')).toThrow(/not UTF-8 text/);
    let error: unknown;
    try {
      extractText(Buffer.from('%PDF-1.4'), 'f', 'a.pdf');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'not_supported', status: 400 });
  });
});
