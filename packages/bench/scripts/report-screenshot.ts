// A screenshot of a --report page, as docs/ shows it: the page opened in Debian's headless Chromium (never a
// downloaded browser), the whole page captured.
//
//   pnpm bench --workload chapter,spiral,fashion --quick --epochs 2 --peers torch,openblas --report /tmp/report
//   pnpm --filter @tapegrad/bench exec tsx scripts/report-screenshot.ts /tmp/report docs/bench-report.png
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [dir, out] = process.argv.slice(2);
if (dir === undefined || out === undefined) throw new Error('usage: report-screenshot.ts REPORT_DIR OUT.png');
const cwd = process.env.INIT_CWD ?? process.cwd();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`file://${resolve(cwd, dir, 'index.html')}`);
  await page.screenshot({ path: resolve(cwd, out), fullPage: true });
  console.log(`wrote ${resolve(cwd, out)}`);
} finally {
  await browser.close();
}
