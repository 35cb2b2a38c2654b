// Browser test of Herald's web UI: Debian's chromium driven by
// playwright-core. Usage: node browser.mjs BASE_URL SCREENSHOT_DIR
// The registry at BASE_URL holds the data registry/server/tests/it/browser.rs
// seeds. Exits non-zero with a message at the first failed expectation, and
// writes a screenshot of each page to SCREENSHOT_DIR.
import { expect, launch } from "./harness.mjs";
import { mkdirSync } from "node:fs";

const [base, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });

  // Subjects: the table, then a search.
  await page.goto(`${base}/ui/`);
  expect((await page.locator("table.subjects tbody tr").count()) === 3, "three subjects listed");
  await page.screenshot({ path: `${shots}/subjects.png`, fullPage: true });
  await page.keyboard.press("Tab");
  expect(
    (await page.evaluate(() => document.activeElement?.textContent)) === "Skip to content",
    "the first Tab reaches the skip link",
  );
  // The REST API's description, linked from every page.
  const apiLink = await page.getAttribute("nav a:has-text('API')", "href");
  const api = await page.request.get(`${base}${apiLink}`);
  expect(api.status() === 200 && (await api.json()).openapi === "3.1.0", `the nav links the OpenAPI description (${apiLink})`);
  await page.fill("input[name=q]", "orders");
  await page.press("input[name=q]", "Enter");
  await page.waitForURL(/q=orders/);
  const rows = await page.locator("table.subjects tbody tr").allInnerTexts();
  expect(rows.length === 1 && rows[0].includes("orders-value"), `search finds orders-value only: ${rows}`);

  // A subject, then the diff between its two versions.
  await page.click("text=orders-value");
  await page.waitForURL(/\/ui\/subjects\/orders-value$/);
  expect((await page.textContent("h1")) === "orders-value", "the subject page");
  await page.screenshot({ path: `${shots}/subject.png`, fullPage: true });
  await page.selectOption("select[name=from]", "1");
  await page.selectOption("select[name=to]", "2");
  await page.click("button:has-text('Compare')");
  await page.waitForURL(/diff\?from=1&to=2/);
  const verdict = await page.textContent(".verdict h2");
  expect(verdict.includes("Incompatible"), `the diff's verdict: ${verdict}`);
  const finding = await page.textContent(".findings li");
  expect(finding.includes("READER_FIELD_MISSING_DEFAULT_VALUE"), `the finding: ${finding}`);
  await page.click(".findings a");
  const target = await page.evaluate(() => document.querySelector(":target")?.className);
  expect(target === "change", `the finding's link lands on the changed line (${target})`);
  await page.screenshot({ path: `${shots}/diff.png`, fullPage: true });

  // A version page and its code preview.
  await page.goto(`${base}/ui/subjects/orders-value/versions/2`);
  expect((await page.locator("pre.code .tok-key").count()) > 0, "the schema is highlighted");
  await page.screenshot({ path: `${shots}/version.png`, fullPage: true });
  await page.click("text=Rust code preview");
  expect((await page.textContent("pre.code")).includes("pub struct Order"), "the Rust preview");
  await page.screenshot({ path: `${shots}/code.png`, fullPage: true });

  // Subject suggestions reach past the subjects the page lists itself (the
  // first 100).
  for (let i = 0; i < 120; i++) {
    const registered = await context.request.post(`${base}/subjects/zz-suggest-${i}/versions`, {
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      data: JSON.stringify({ schema: JSON.stringify({ type: "record", name: `S${i}`, fields: [] }) }),
    });
    expect(registered.ok(), `registering zz-suggest-${i}: ${registered.status()}`);
  }
  await page.goto(`${base}/ui/playground`);
  const listed = await page.evaluate(() =>
    [...document.querySelectorAll("#subjects option")].map((o) => o.value));
  expect(!listed.includes("zz-suggest-99"), `the page lists only the first subjects: ${listed.length}`);
  await page.fill("input[name=subject]", "zz-suggest-9");
  await page.waitForFunction(() =>
    [...document.querySelectorAll("#subjects option")].some((o) => o.value === "zz-suggest-99"));
  const suggested = await page.evaluate(() =>
    [...document.querySelectorAll("#subjects option")].map((o) => o.value));
  expect(suggested.every((s) => s.startsWith("zz-suggest-9")), `suggestions match the prefix: ${suggested}`);

  // The playground.
  await page.goto(`${base}/ui/playground?subject=orders-value`);
  await page.fill("textarea[name=schema]", JSON.stringify({
    type: "record", name: "Order",
    fields: [{ name: "id", type: "long" }, { name: "email", type: "string" }, { name: "phone", type: "string" }],
  }));
  await page.click("button:has-text('Check')");
  await page.waitForSelector(".verdict");
  const judged = await page.textContent(".verdict");
  expect(judged.includes("Incompatible") && judged.includes("READER_FIELD_MISSING_DEFAULT_VALUE"), `the playground: ${judged}`);
  await page.screenshot({ path: `${shots}/playground.png`, fullPage: true });

  // Phone width, dark mode.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  const small = await phone.newPage();
  await small.goto(`${base}/ui/`);
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow <= 0, `no horizontal scrolling at phone width (${overflow}px)`);
  const background = await small.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background === "rgb(13, 17, 23)", `dark mode follows prefers-color-scheme (${background})`);
  await small.screenshot({ path: `${shots}/subjects-phone-dark.png`, fullPage: true });

  expect(errors.length === 0, `no script or CSP errors: ${errors}`);
  console.log("browser test passed");
} catch (error) {
  console.error(`browser test failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
