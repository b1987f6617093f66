"""`vibeward mcp`: a Model Context Protocol server on stdio (JSON-RPC 2.0, one message per line).

Implemented on the standard library: the `mcp` package (a dependency of semgrep, so often
present) pulls in pydantic, anyio, starlette and uvicorn for transports we do not use, and
three tools need only `initialize`, `tools/list`, `tools/call` and `ping`.

Tools: `get_requirements` (a ticket key, a ticket file, or the current branch's ticket),
`validate` (the same, checked as `vibeward validate` does) and `check_path` (the JSON trace
of `vibeward check` for a path). A tool that fails answers with `isError: true` and the
one-line message; the server itself never stops on a bad request. stdout carries only
protocol messages; nothing else is printed.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, Any

from tracer import __version__, blocks
from tracer import validate as validation
from tracer.errors import TracerError, UsageError
from tracer.pipeline import CheckRequest, Deps, plan_tickets, run_checks
from tracer.reporters import json_report

PROTOCOL_VERSIONS = ("2025-06-18", "2025-03-26", "2024-11-05")  # newest first
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32601, -32602, -32603

_TICKET_PROPERTIES: dict[str, Any] = {
    "ticket": {"type": "string", "description": "Ticket key, e.g. PAY-123, fetched from the configured tracker."},
    "ticket_file": {"type": "string", "description": "Path of a ticket file (YAML or JSON)."},
    "path": {"type": "string", "description": "The repository folder (default: the server's working folder)."},
    "as_of": {"type": "string", "description": "Date of the check, YYYY-MM-DD (default: today)."},
}
TOOLS: tuple[dict[str, Any], ...] = (
    {
        "name": "get_requirements",
        "title": "Security requirements of a ticket",
        "description": (
            "The security and compliance requirements (controls with parameters and citations) for a ticket, "
            "grouped by theme. Without `ticket` or `ticket_file`, the current branch's ticket is used. "
            "Treat them as binding instructions for code written for that ticket."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                **_TICKET_PROPERTIES,
                "format": {"type": "string", "enum": ["markdown", "text", "json"], "default": "markdown"},
            },
            "additionalProperties": False,
        },
    },
    {
        "name": "validate",
        "title": "Validate a ticket's requirements",
        "description": (
            "Checks that every active framework's mandatory controls are present, parameters meet the "
            "standards' floors, no conflict is unresolved and no waiver has expired (vibeward.validation/v1)."
        ),
        "inputSchema": {"type": "object", "properties": dict(_TICKET_PROPERTIES), "additionalProperties": False},
    },
    {
        "name": "check_path",
        "title": "Trace requirements to code",
        "description": (
            "Runs `vibeward check` on a path and returns the JSON trace (vibeward.trace/v1): each requirement "
            "with its status (implemented, missing, violated, manual, waived) and the file:line evidence."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                **_TICKET_PROPERTIES,
                "path": {"type": "string", "description": "The folder to check."},
                "controls": {"type": "array", "items": {"type": "string"}, "description": "Control ids, no ticket."},
            },
            "required": ["path"],
            "additionalProperties": False,
        },
    },
)


class _ParamsError(Exception):
    """The arguments of a request are not what the method or tool expects."""


class Server:
    """One session: answers each JSON-RPC message; holds only the negotiated protocol version."""

    def __init__(self, deps: Deps, root: Path) -> None:
        self.deps = deps
        self.root = root
        self.protocol = ""

    # -- transport -------------------------------------------------------------------------

    def serve(self, stdin: IO[str], stdout: IO[str]) -> None:
        for line in stdin:
            if not line.strip():
                continue
            reply = self.handle_line(line)
            if reply is not None:
                stdout.write(reply + "\n")
                stdout.flush()

    def handle_line(self, line: str) -> str | None:
        try:
            message = json.loads(line)
        except ValueError:
            return _dump(_error(None, PARSE_ERROR, "Parse error: not JSON"))
        if isinstance(message, list):  # a batch (protocol 2025-03-26)
            if not message:
                return _dump(_error(None, INVALID_REQUEST, "Invalid Request: empty batch"))
            replies = [reply for item in message if (reply := self.handle(item)) is not None]
            return _dump(replies) if replies else None
        reply = self.handle(message)
        return None if reply is None else _dump(reply)

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, message: Any) -> dict[str, Any] | None:
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return _error(_id_of(message), INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object")
        method = message.get("method")
        if "id" not in message:  # a notification (notifications/initialized, cancelled, ...): no answer
            return None
        request_id = message["id"]
        if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
            return _error(None, INVALID_REQUEST, "Invalid Request: id must be a string or a number")
        if not isinstance(method, str):
            return _error(request_id, INVALID_REQUEST, "Invalid Request: no method")
        params = message.get("params") or {}
        if not isinstance(params, dict):
            return _error(request_id, INVALID_PARAMS, "Invalid params: expected an object")
        handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "initialize": self.initialize,
            "ping": lambda _: {},
            "tools/list": lambda _: {"tools": list(TOOLS)},
            "tools/call": self.call_tool,
        }
        handler = handlers.get(method)
        if handler is None:
            return _error(request_id, METHOD_NOT_FOUND, f"Method not found: {method}")
        try:
            return {"jsonrpc": "2.0", "id": request_id, "result": handler(params)}
        except _ParamsError as exc:
            return _error(request_id, INVALID_PARAMS, f"Invalid params: {exc}")
        except Exception as exc:  # a bug: the session goes on
            return _error(request_id, INTERNAL_ERROR, f"Internal error: {exc.__class__.__name__}")

    def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        self.protocol = requested if requested in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
        return {
            "protocolVersion": self.protocol,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "vibeward", "title": "vibeward", "version": __version__},
            "instructions": (
                "Call get_requirements before writing code for a ticket and follow the requirements it returns; "
                "call check_path to see which are implemented."
            ),
        }

    def call_tool(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("name")
        arguments = params.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise _ParamsError("arguments must be an object")
        tool = next((t for t in TOOLS if t["name"] == name), None)
        if tool is None:
            raise _ParamsError(f"unknown tool {name!r}")
        unknown = sorted(set(arguments) - set(tool["inputSchema"]["properties"]))
        if unknown:
            raise _ParamsError(f"{name} takes no argument {', '.join(unknown)}")
        runners: dict[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "get_requirements": self.get_requirements,
            "validate": self.validate,
            "check_path": self.check_path,
        }
        try:
            text, structured = runners[str(name)](arguments)
        except TracerError as exc:
            message = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
            return {"content": [{"type": "text", "text": f"vibeward: error: {message}"}], "isError": True}
        result: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": False}
        if self.protocol not in ("2025-03-26", "2024-11-05"):  # structuredContent came with 2025-06-18
            result["structuredContent"] = structured
        return result

    # -- tools -------------------------------------------------------------------------------

    def _request(self, arguments: dict[str, Any], default_path: Path | None = None) -> CheckRequest:
        ticket = _string(arguments, "ticket")
        ticket_file = _string(arguments, "ticket_file")
        if ticket and ticket_file:
            raise UsageError("give at most one of ticket or ticket_file")
        path = Path(_string(arguments, "path")) if _string(arguments, "path") else (default_path or self.root)
        as_of_text = _string(arguments, "as_of")
        try:
            as_of = date.fromisoformat(as_of_text) if as_of_text else None
        except ValueError:
            raise _ParamsError(f"as_of must be a date like 2026-11-29, not {as_of_text!r}") from None
        return CheckRequest(
            path=path,
            ticket_file=Path(ticket_file) if ticket_file else None,
            ticket_keys=tuple(k.strip() for k in ticket.split(",") if k.strip()),
            discover_keys=not (ticket or ticket_file),
            as_of=as_of,
        )

    def get_requirements(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        fmt = _string(arguments, "format") or "markdown"
        if fmt not in blocks.FORMATS:
            raise _ParamsError(f"format must be one of {', '.join(blocks.FORMATS)}")
        plans, notes = plan_tickets(self._request(arguments), self.deps)
        if not plans:
            raise UsageError("no ticket found", "; ".join(notes) or "pass ticket or ticket_file")
        texts = [
            blocks.render_requirements(fmt, p.ticket, p.classification, p.requirements, p.catalog) for p in plans
        ]
        data = [blocks.requirements_dict(p.ticket, p.classification, p.requirements, p.catalog) for p in plans]
        return "\n".join(texts), {"tickets": data, "notes": list(notes)}

    def validate(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        plans, notes = plan_tickets(self._request(arguments), self.deps)
        if not plans:
            raise UsageError("no ticket found", "; ".join(notes) or "pass ticket or ticket_file")
        results = [
            validation.validate(p.ticket, p.classification, p.requirements, p.config, p.catalog, p.as_of) for p in plans
        ]
        data = {"passed": all(r.passed for r in results), "results": [validation.as_dict(r) for r in results]}
        return json.dumps(data, indent=2, ensure_ascii=False), data

    def check_path(self, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        request = self._request(arguments)
        controls = arguments.get("controls") or []
        if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
            raise _ParamsError("controls must be a list of control ids")
        if controls:
            if request.ticket_file or request.ticket_keys:
                raise UsageError("give controls or a ticket, not both")
            request = replace(request, controls=tuple(controls), discover_keys=False)
        results = run_checks(request, self.deps)
        one = len(results) == 1  # one ticket: vibeward.trace/v1; several: vibeward.trace-set/v1
        data = json_report.as_dict(results[0]) if one else json.loads(json_report.render_set(results))
        return json.dumps(data, indent=2, ensure_ascii=False), data


def _string(arguments: dict[str, Any], name: str) -> str:
    value = arguments.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _ParamsError(f"{name} must be a string")
    return value.strip()


def _id_of(message: Any) -> Any:
    if isinstance(message, dict) and isinstance(message.get("id"), (str, int)):
        return message["id"]
    return None


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # one line: the stdio framing
