import { useNavigate } from "@remix-run/react";
import { type AnchorHTMLAttributes, useEffect } from "react";

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & {
  to: string;
  /** A full page load (files such as the CSV), not a client-side navigation. */
  reloadDocument?: boolean;
  /** Keep the scroll position on a client-side navigation (a move form opened on the board). */
  preventScrollReset?: boolean;
};

/**
 * A plain <a href>. Remix's <Link> resolves its path against the route tree and sets up a click
 * handler for every link it renders: measured (docs/performance.md), that was a large part of the
 * server's time on the pipeline board (about 270 links) and the profile (about 90). Here a link is
 * just an anchor, which is also what a browser without JavaScript gets, and one click listener
 * (useClientNavigation, in root.tsx) turns an ordinary click into the same client-side navigation.
 * `to` is an address as the browser reads it: absolute ("/candidates/…"), a query ("?page=2") or a
 * fragment ("#timeline").
 */
export function Link({ to, reloadDocument, preventScrollReset, ...rest }: LinkProps) {
  return (
    <a
      href={to}
      data-nav={reloadDocument ? undefined : preventScrollReset ? "keep-scroll" : ""}
      {...rest}
    />
  );
}

/** Client-side navigation for the links above: plain left clicks on same-origin links only. */
export function useClientNavigation() {
  const navigate = useNavigate();
  useEffect(() => {
    function onClick(event: MouseEvent) {
      if (
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey
      )
        return;
      const anchor = event.target instanceof Element ? event.target.closest("a[data-nav]") : null;
      if (
        !(anchor instanceof HTMLAnchorElement) ||
        anchor.target ||
        anchor.hasAttribute("download")
      )
        return;
      const url = new URL(anchor.href);
      if (url.origin !== window.location.origin) return;
      event.preventDefault();
      const keepScroll = anchor.dataset.nav === "keep-scroll";
      // A keep-scroll link's hash is for a full page load without JavaScript (it brings the new page
      // back to the card); here the page stays, and the hash would scroll the card to the top.
      navigate(`${url.pathname}${url.search}${keepScroll ? "" : url.hash}`, {
        preventScrollReset: keepScroll,
      });
    }
    document.addEventListener("click", onClick);
    return () => document.removeEventListener("click", onClick);
  }, [navigate]);
}
