import { describe, expect, it } from 'vitest';
import { browserHtml } from './send-once.ts';

describe('browserHtml', () => {
  it('turns inline cid images into data URIs of the same bytes and leaves everything else', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const html = browserHtml({
      html: '<p>Hi</p><img src="cid:trend@cpd" alt="trend"><img src="cid:unknown@cpd"><a href="https://x/">x</a>',
      attachments: [
        { filename: 'trend.png', content: png, contentType: 'image/png', cid: 'trend@cpd' },
        { filename: 'list.csv', content: 'a,b\n', contentType: 'text/csv' },
      ],
    });
    expect(html).toContain(`<img src="data:image/png;base64,${png.toString('base64')}" alt="trend">`);
    // A reference without a matching part stays as it was rather than pointing at the wrong bytes.
    expect(html).toContain('src="cid:unknown@cpd"');
    expect(html).toContain('<a href="https://x/">x</a>');
  });
});
