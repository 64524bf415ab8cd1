// Hash routes: #/<shop>/<screen>/<rest…>. The hash keeps every screen a plain link that works
// without server-side routing (the admin function serves one index.html).
import { useEffect, useState } from "preact/hooks";

export interface Route {
  shop: string | null;
  screen: string;
  rest: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { shop: parts[0] ?? null, screen: parts[1] ?? "dashboard", rest: parts.slice(2), query: new URLSearchParams(search) };
}

export function href(shop: string, screen: string, ...rest: string[]): string {
  return `#/${[shop, screen, ...rest].map(encodeURIComponent).join("/")}`;
}

export function navigate(target: string): void {
  if (location.hash !== target) location.hash = target;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}
