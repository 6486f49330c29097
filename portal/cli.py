"""``dxwh portal …``: serve the submission portal and manage its access tokens.

:func:`register` adds the commands to ``dxwh``'s parser; the web stack is imported only when
the portal is served, so the rest of the command line stays quick to start.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from core.settings import Settings
from portal.config import DEFAULT_HOST, DEFAULT_PORT, load_portal_config
from portal.store import PortalStore

# a unit that exists from the 2025 reorganisation on: the new Đà Nẵng's Department of Science
# and Technology, which runs the province's CĐS programme
DEMO_UNIT = "48-SKHCN"
CLI_ACTOR = "cli"


def _store(settings: Settings) -> PortalStore:
    config = load_portal_config(settings)
    config.ensure_dirs()
    return PortalStore(config.state_db)


def _known_unit(settings: Settings, unit_id: str) -> str | None:
    from ingest.registry import build_registry

    names = {u.unit_id: u.unit_name for u in build_registry(settings.registry_scope)}
    return names.get(unit_id)


# about 200 MB a worker: on a big host (or a container that sees all the host's cores) one per
# core would hold gigabytes for a load that four processes answer
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One worker process per core this process may run on, at most ``MAX_DEFAULT_WORKERS``."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    settings.ensure_dirs()
    workers = args.workers or default_workers()
    # the state, the cookie key (a placeholder stops the portal here) and the demo tokens are
    # made once, before any worker starts; the workers share them through the data home
    store = _store(settings)
    url = f"http://{args.host}:{args.port}/"
    print(f"portal: {url} (data home {settings.home}, {workers} worker process"
          f"{'es' if workers > 1 else ''})")  # fmt: skip
    if args.demo:
        _, unit_token = store.issue_token("unit", DEMO_UNIT, "demo", CLI_ACTOR)
        _, office_token = store.issue_token("office", None, "demo: Sở (văn phòng tỉnh)", CLI_ACTOR)
        print(f"demo unit {DEMO_UNIT} token: {unit_token}")
        print(f"demo office token:        {office_token}")
        print("(demo tokens; revoke them with: dxwh portal revoke TOKEN_ID)")
    sys.stdout.flush()
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "proxy_headers": True,
    }
    if workers == 1:
        from portal.app import create_app

        uvicorn.run(create_app(settings), **options)
    else:  # each worker builds the app from the environment, which names this data home
        os.environ["DXWH_HOME"] = str(settings.home)
        uvicorn.run("portal.app:app_from_environment", factory=True, workers=workers, **options)
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    if args.office:
        record, token = store.issue_token("office", None, args.label or "Sở", CLI_ACTOR)
    else:
        if not args.unit:
            print("portal token: name a UNIT code, or --office", file=sys.stderr)
            return 2
        name = _known_unit(settings, args.unit)
        if name is None:
            print(
                f"portal token: no unit '{args.unit}' in the {settings.registry_scope} registry "
                "(codes look like 502, 20341 or 48-SKHCN)",
                file=sys.stderr,
            )
            return 2
        record, token = store.issue_token("unit", args.unit, args.label or name, CLI_ACTOR)
    print(f"token {record.token_id} for {record.unit_id or 'the provincial office'} "
          f"({record.label}): shown once, give it over a safe channel")  # fmt: skip
    print(token)
    return 0


def cmd_tokens(args: argparse.Namespace, settings: Settings) -> int:
    tokens = _store(settings).list_tokens(include_revoked=args.all)
    for t in tokens:
        state = "active" if t.is_active else f"revoked {t.revoked_at}"
        print(f"{t.token_id}  {t.role:6}  {t.unit_id or '-':10}  {t.label}  issued {t.issued_at}"
              f"  last used {t.last_used_at or '-'}  {state}")  # fmt: skip
    if not tokens:
        print("no tokens: issue one with dxwh portal token UNIT")
    return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    if _store(settings).revoke_token(args.token_id, CLI_ACTOR):
        print(f"token {args.token_id} revoked: its sessions end at their next request")
        return 0
    print(f"portal revoke: no active token {args.token_id}", file=sys.stderr)
    return 1


def register(subparsers: Any) -> None:
    """Add ``dxwh portal serve|token|tokens|revoke`` to the ``dxwh`` parser."""
    portal = subparsers.add_parser(
        "portal",
        help="The submission portal: serve it, issue, list and revoke access tokens.",
        description="The submission portal for unit clerks and the provincial office.",
    )
    commands = portal.add_subparsers(dest="portal_command", required=True, metavar="ACTION")

    p = commands.add_parser("serve", help="Serve the portal on the data home.")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--demo",
        action="store_true",
        help=f"issue and print a token for the demo unit {DEMO_UNIT} and one for the office",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="worker processes answering requests (default: one per core)",
    )
    p.set_defaults(handler=cmd_serve)

    p = commands.add_parser("token", help="Issue an access token for a unit (or the office).")
    p.add_argument("unit", nargs="?", metavar="UNIT", help="the unit's registry code, e.g. 502")
    p.add_argument("--office", action="store_true", help="a token for the provincial office")
    p.add_argument("--label", help="a note kept with the token (who holds it)")
    p.set_defaults(handler=cmd_token)

    p = commands.add_parser("tokens", help="List access tokens (active ones; --all for every one).")
    p.add_argument("--all", action="store_true", help="include revoked tokens")
    p.set_defaults(handler=cmd_tokens)

    p = commands.add_parser("revoke", help="Revoke an access token by its id.")
    p.add_argument("token_id", metavar="TOKEN_ID", help="the id shown by dxwh portal tokens")
    p.set_defaults(handler=cmd_revoke)
