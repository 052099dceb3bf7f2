import { openBook } from './book.mjs';
const book = await openBook();
for (const [w, name] of [[1280, 'wide'], [375, 'narrow'], [430, 'mid']]) {
  const ctx = await book.browser.newContext({ viewport: { width: w, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(book.url('ch12-why-hard.html'));
  const fig = page.locator('figure.recorded-output').nth(0);
  await fig.scrollIntoViewIfNeeded();
  const box = await fig.boundingBox();
  await page.screenshot({ path: `/tmp/wb-scratch/${process.env.TAG}-${name}.png`, clip: { x: Math.max(0, box.x - 10), y: box.y - 60, width: Math.min(box.width + 20, w), height: 200 } });
  await ctx.close();
}
await book.close();
