"""`agent-ux-lab memory …` and `agent-ux-lab serve-sim`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from agent_core.cli.main import add_common, emit, open_lab


def register(sub: argparse._SubParsersAction) -> None:
    _memory_parser(sub)
    _serve_parser(sub)


def _memory_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help="list, search, export, import, delete, forget or audit memories")
    msub = p.add_subparsers(dest="action", required=True)
    for name in ("list", "search", "export", "import", "delete", "forget", "audit", "instructions"):
        q = msub.add_parser(name)
        add_common(q)
        if name == "list":
            q.add_argument("--history", action="store_true", help="include superseded facts")
            q.add_argument("--kind", choices=("semantic", "episodic"), default=None)
        if name == "search":
            q.add_argument("query")
            q.add_argument("-k", type=int, default=5)
        if name == "export":
            q.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
            q.add_argument("--all", action="store_true", help="the whole project: every profile and settings")
        if name == "import":
            q.add_argument("file", type=Path)
        if name == "delete":
            q.add_argument("id")
            q.add_argument("--verify", action="store_true", help="purge from disk and audit afterwards")
        if name == "forget":
            q.add_argument("--yes", action="store_true", help="really delete everything of --profile")
        if name == "instructions":
            q.add_argument("--agent", default="assistant")
            q.add_argument(
                "--accept", type=int, default=None, metavar="VERSION", help="make a version active"
            )
        if name == "audit":
            q.add_argument(
                "--text", action="append", default=[], help="deleted text to search for (repeatable)"
            )
            q.add_argument(
                "--id", action="append", default=[], help="deleted memory id to search for (repeatable)"
            )
    p.set_defaults(func=cmd_memory)


def _row(m) -> dict:  # noqa: ANN001 - Memory
    return {
        "id": m.id,
        "kind": m.kind,
        "content": m.content,
        "slot": m.slot,
        "importance": m.importance,
        "confidence": m.confidence,
        "pinned": m.pinned,
        "flagged": m.flagged,
        "valid_from": m.valid_from,
        "valid_to": m.valid_to,
        "superseded_by": m.superseded_by,
        "write_mode": m.write_mode,
        "write_latency_ms": round(m.write_latency_ms, 2),
        "created_at": m.created_at,
        "recallable_at": m.recallable_at,
    }


def cmd_memory(args: argparse.Namespace) -> int:
    from memory.transfer import ImportFileError, export_profile, read_export, write_export
    from memory.transfer_project import export_project, import_any

    lab = open_lab(args)
    try:
        if args.action == "list":
            rows = [_row(m) for m in lab.store.list(args.profile, args.kind, include_history=args.history)]
            text = "\n".join(
                f"{r['id'][:8]}  {r['kind'][:3]}  {'(until ' + str(r['valid_to'])[:19] + ') ' if r['valid_to'] else ''}{r['content']}"
                for r in rows
            )
            emit(args, rows, text or "(no memories)")
        elif args.action == "search":
            res = [r.as_dict() for r in lab.store.recall(args.profile, args.query, k=args.k)]
            emit(
                args, res, "\n".join(f"{r['score']:.3f}  {r['content']}" for r in res) or "(nothing recalled)"
            )
        elif args.action == "export":
            if args.all:
                data = export_project(lab.store, lab.procedural, settings=lab.settings.to_json())
                count = sum(len(p["memories"]) for p in data["profiles"].values())
            else:
                data = export_profile(lab.store, lab.procedural, args.profile)
                count = len(data["memories"])
            if args.out:
                write_export(args.out, data)  # user-only, even over an existing file
                print(f"exported {count} memories to {args.out}")
            else:
                print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        elif args.action == "import":
            try:  # read here: a folder, non-UTF-8 or too deep a file is one line, not a traceback
                report = import_any(lab.store, lab.procedural, read_export(args.file), args.profile)
            except ImportFileError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            conflicts = f", {len(report['conflicts'])} conflicts" if report["conflicts"] else ""
            parts = report.get("profiles", {"": report})  # a project file: one report per profile
            problems = [
                f"{f'profile {n!r}: ' if n else ''}{p}" for n, r in parts.items() for p in r["problems"]
            ]
            repaired = sum(r["repaired"] for r in parts.values())
            fixed = f", repaired {repaired} with bad values (defaults used):" if repaired else ""
            summary = f"imported {report['added']} memories, skipped {report['skipped']} duplicates"
            if report.get("flagged"):
                summary += (
                    f", {report['flagged']} flagged as planted instructions (approve them in the inspector)"
                )
            for p in report.get("proposed_instructions", []):
                summary += (
                    f"; instructions v{p['version']} for {p['agent']} proposed, not active "
                    f"(agent-ux-lab memory instructions --accept {p['version']})"
                )
            emit(args, report, "\n  ".join([summary + conflicts + fixed, *problems]))
        elif args.action == "instructions":
            if args.accept is not None:
                try:
                    lab.procedural.rollback(args.profile, args.agent, args.accept)
                except KeyError as exc:
                    print(f"error: {exc.args[0]}", file=sys.stderr)
                    return 2
            rows = [
                {
                    "version": v.version,
                    "active": v.active,
                    "author": v.author,
                    "reason": v.reason,
                    "text": v.text,
                }
                for v in lab.procedural.versions(args.profile, args.agent)
            ]
            lines = [
                f"{'*' if r['active'] else ' '} v{r['version']} ({r['author']}: {r['reason']})" for r in rows
            ]
            emit(args, rows, "\n".join(lines))
        elif args.action == "delete":
            mem = lab.store.get(args.id)
            if mem is not None and mem.namespace != args.profile:
                # An id is no capability: --profile scopes a delete (the owner is not named either).
                print(f"error: memory {args.id} is not in profile {args.profile!r}; nothing was deleted")
                return 2
            if args.verify and mem is not None:
                report = lab.delete_memory_verified(args.id)
                emit(args, {"deleted": True, "id": args.id, "audit": report.as_dict()}, report.summary())
                return 0 if report.clean else 3
            ok = lab.store.delete(args.id)
            emit(args, {"deleted": ok, "id": args.id}, "deleted" if ok else f"no memory {args.id}")
            return 0 if ok else 1
        elif args.action == "forget":
            if not args.yes:
                print(
                    f"this deletes every memory, run and conversation of profile {args.profile!r}; add --yes"
                )
                return 2
            out = lab.forget_profile(args.profile)
            audit = out["audit"] or {"summary": "nothing to delete", "clean": True}
            emit(
                args, out, f"forgot {out['memories']} memories, {out['runs']} runs; audit: {audit['summary']}"
            )
            return 0 if audit["clean"] else 3
        elif args.action == "audit":
            report = lab.audit(profile=args.profile, texts=args.text, ids=args.id)
            lines = [report.summary()] + [
                f"  {h.where}: {h.needle[:60]!r} ×{h.count}" for h in report.failures
            ]
            emit(args, report.as_dict(), "\n".join(lines))
            return 0 if report.clean else 1
        return 0
    finally:
        lab.close()


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve-sim", help="serve the OpenAI-compatible simulator on 127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ttft-ms", type=float, default=250.0)
    p.add_argument("--tokens-per-s", type=float, default=60.0)
    for knob in ("error-rate", "rate-limit-rate", "timeout-rate", "malformed-tool-rate", "truncate-rate"):
        p.add_argument(f"--{knob}", type=float, default=0.0)
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from agent_core.simulator import SimConfig
    from agent_core.simulator.server import make_server

    cfg = SimConfig(
        seed=args.seed,
        ttft_ms=args.ttft_ms,
        tokens_per_s=args.tokens_per_s,
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        timeout_rate=args.timeout_rate,
        malformed_tool_rate=args.malformed_tool_rate,
        truncate_rate=args.truncate_rate,
    )
    server = make_server(args.port, cfg)
    print(f"simulator listening on http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        time.sleep(0)
    return 0
