import { expect, test } from "@playwright/test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hydrated, live, openAs, signIn, unique } from "./helpers";

/** A webhook receiver on 127.0.0.1: keeps every request's event header and body. */
async function receiver() {
  const got: { event: string; body: any }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      got.push({ event: String(req.headers["stormwatch-event"]), body: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() };
}

test("an admin creates a token and a receiver; a message posted through the API appears live on an open incident page and is delivered", async ({ page, browser, baseURL }) => {
  const hook = await receiver();
  await signIn(page, "Ada Admin", "admin");
  await page.goto("/admin/automation");
  await hydrated(page);

  const name = unique("deploy-bot").replace(" ", "-");
  const tokenForm = page.locator("#create-token-form");
  await tokenForm.getByLabel("Name").fill(name);
  await tokenForm.getByLabel("Acts as").selectOption("responder");
  await tokenForm.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByLabel("The new token").inputValue();
  expect(token).toMatch(/^sw_[0-9a-f]{64}$/);
  await expect(page.locator(`tr.token-row[data-token="${name}"] .last-used`)).toHaveText("never");

  const endpointForm = page.locator("#add-endpoint-form");
  await endpointForm.getByLabel("Receiver URL").fill(hook.url);
  await endpointForm.getByLabel("Message posted").check();
  await endpointForm.getByRole("button", { name: "Add receiver" }).click();
  await expect(page.getByLabel("The signing secret")).toHaveValue(/^whsec_/);
  await expect(page.locator(`article.endpoint[data-url="${hook.url}"]`)).toContainText("Message posted");

  // A pipeline declares an incident through the API; a responder has its page open.
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${baseURL}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const title = unique("Deploy broke checkout");
  const declared = await api("/incidents", { method: "POST", body: JSON.stringify({ title, severity: "SEV2", services: ["checkout"] }) });
  expect(declared.status).toBe(201);
  const { number } = await declared.json();
  const responder = await openAs(browser, baseURL, "Rosa Responder");
  await responder.goto(`/incidents/${number}`);
  await live(responder);
  await expect(responder.locator(".timeline")).toContainText(`${name} (token)`);

  const posted = await api(`/incidents/${number}/messages`, { method: "POST", body: JSON.stringify({ body: "Rolled back **build 812**" }) });
  expect(posted.status).toBe(201);
  const line = responder.locator(".event-message").filter({ hasText: "Rolled back" });
  await expect(line).toContainText(`${name} (token)`);
  await expect(line.locator("strong")).toHaveText("build 812");

  // The receiver hears it, and the admin page shows it delivered and the token used.
  await expect.poll(() => hook.got.filter((d) => d.event === "message.posted").length).toBe(1);
  expect(hook.got[0].body.line.body).toBe("Rolled back **build 812**");
  await page.reload();
  await expect(page.locator(`article.endpoint[data-url="${hook.url}"] tr.delivery`).first()).toHaveAttribute("data-status", "delivered");
  await expect(page.locator(`tr.token-row[data-token="${name}"] .last-used`)).not.toHaveText("never");

  // Revoked, the token opens nothing.
  await hydrated(page);
  await page.locator(`tr.token-row[data-token="${name}"]`).getByRole("button", { name: "Revoke" }).click();
  await expect(page.locator(`tr.token-row[data-token="${name}"]`)).toContainText("revoked");
  expect((await api("/me")).status).toBe(401);
  hook.close();
});
