// example-app: a link shortener with three routes, and three things `cf-scale scan` flags.
interface Env {
  DB: D1Database;
  SESSIONS: KVNamespace;
}

// No index on links.slug: every redirect reads the whole table.
const LINK_BY_SLUG = "SELECT id, url FROM links WHERE slug = ?";

const RECORD_CLICK = "INSERT INTO clicks (link_id, country, created_at) VALUES (?, ?, ?)";

// Indexed, but with no LIMIT: a popular link returns every click it ever had.
const CLICKS_FOR_LINK = "SELECT country, created_at FROM clicks WHERE link_id = ? ORDER BY created_at DESC";

// GET /r/:slug redirects and counts the click.
async function redirect(request: Request, env: Env, ctx: ExecutionContext, slug: string): Promise<Response> {
  const link = await env.DB.prepare(LINK_BY_SLUG).bind(slug).first<{ id: number; url: string }>(); // expect: d1-full-scan
  if (!link) return new Response("no such link", { status: 404 });
  const country = request.cf?.country ?? null;
  ctx.waitUntil(env.DB.prepare(RECORD_CLICK).bind(link.id, country, Date.now()).run());
  return Response.redirect(link.url, 302);
}

// GET /links/:id/clicks lists a link's clicks, newest first.
async function clicks(env: Env, linkId: number): Promise<Response> {
  const { results } = await env.DB.prepare(CLICKS_FOR_LINK).bind(linkId).all(); // expect: d1-no-limit
  return Response.json(results);
}

// GET /sessions lists the caller's signed-in devices.
async function sessions(env: Env, owner: string): Promise<Response> {
  const { keys } = await env.SESSIONS.list({ prefix: `session:${owner}:` }); // expect: kv-list-request-path
  return Response.json(keys.map((key) => key.name));
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/r/")) {
      return redirect(request, env, ctx, pathname.slice("/r/".length));
    }
    const owner = request.headers.get("x-owner");
    if (!owner) return new Response("unauthorized", { status: 401 });
    const match = pathname.match(/^\/links\/(\d+)\/clicks$/);
    if (match) {
      return clicks(env, Number(match[1]));
    }
    if (pathname === "/sessions") {
      return sessions(env, owner);
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;
