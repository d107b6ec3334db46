/** Liveness: the process answers. It asks nothing of the database: /readyz says whether requests can be served. */
export function loader() {
  return new Response("ok\n", {
    status: 200,
    headers: { "Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8" },
  });
}
