"""A local fake of the GitHub API endpoints the workflows and scripts call, for the rehearsal.

The real ``gh`` CLI (Debian's package) talks to it over HTTPS on 127.0.0.1 with a throwaway
self-signed certificate: ``GH_HOST=127.0.0.1:PORT`` makes gh treat it as a GitHub Enterprise
host (REST under ``/api/v3``, GraphQL at ``/api/graphql``) and ``SSL_CERT_FILE`` makes it trust
the certificate. Only what the repository's scripts use is served; anything else answers 404 and
is recorded in ``unhandled`` so a test can fail on it:

REST   GET  /repos/{o}/{r}/pulls/{n}                       scripts/find-pr.sh
       GET  /repos/{o}/{r}/actions/runs/{id}/artifacts      pr-plan.yml (download)
       GET  /repos/{o}/{r}/actions/artifacts/{id}/zip       pr-plan.yml (download)
       GET  /repos/{o}/{r}/issues/{n}/comments               scripts/post-plan-comment.sh
       POST /repos/{o}/{r}/issues/{n}/comments               scripts/post-plan-comment.sh
       PATCH /repos/{o}/{r}/issues/comments/{id}             scripts/post-plan-comment.sh
       POST /repos/{o}/{r}/labels, PATCH .../labels/{name}   gh label create --force
GraphQL the queries gh 2.23 sends for ``gh issue list/create/edit/close`` (drift-issue.sh).

Artifacts are the zips the rehearsal's upload-artifact replacement wrote under
``artifact_root/<run_id>/<name>.zip``: one store, read by the fake and by download-artifact.
Every request needs ``Authorization: token|bearer <the session token>``, so a step that forgets
``GH_TOKEN`` fails here as it would on GitHub.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import ssl
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}
HUMAN = {"login": "octocat", "type": "User", "id": 1}


@dataclass
class Comment:
    id: int
    issue: int
    body: str
    user: dict[str, Any]
    created: float
    updated: float

    def rest(self) -> dict[str, Any]:
        return {"id": self.id, "body": self.body, "user": self.user}


@dataclass
class Issue:
    number: int
    title: str
    body: str
    labels: list[str]
    state: str = "OPEN"
    edits: int = 0  # body replaced after creation
    closing_comment: str = ""

    @property
    def node_id(self) -> str:
        return f"I_{self.number}"


@dataclass
class Request:
    method: str
    path: str
    at: float
    authorized: bool


@dataclass
class GitHubState:
    repository: str
    default_branch: str = "main"
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    issues: dict[int, Issue] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


class FakeGitHub:
    """The server (a thread of the test process) and its recorded state."""

    def __init__(self, *, repository: str, token: str, artifact_root: Path, workdir: Path):
        self.state = GitHubState(repository=repository)
        self.token = token
        self.artifact_root = artifact_root
        self.lock = threading.Lock()
        self.cert = workdir / "fake-github-cert.pem"
        key = workdir / "fake-github-key.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
                *("-keyout", str(key), "-out", str(self.cert)),
            ],
            check=True,
            capture_output=True,
        )
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeGitHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the tests arrange -------------------------------------------------------------
    def open_pull(self, number: int, *, head_sha: str, head_repository: str | None = None) -> None:
        with self.lock:
            self.state.pulls[number] = {
                "number": number,
                "state": "open",
                "base": {"ref": self.state.default_branch},
                "head": {
                    "sha": head_sha,
                    "repo": {"full_name": head_repository or self.state.repository},
                },
            }

    def add_comment(self, issue: int, body: str, *, user: dict[str, Any]) -> Comment:
        with self.lock:
            comment = Comment(self.state.new_id(), issue, body, user, time.time(), time.time())
            self.state.comments.append(comment)
            return comment

    # --- artifacts ---------------------------------------------------------------------------
    def artifacts(self, run_id: str) -> list[dict[str, Any]]:
        found = []
        for index, path in enumerate(sorted((self.artifact_root / run_id).glob("*.zip"))):
            found.append(
                {
                    "id": int(run_id) * 1000 + index,
                    "name": path.stem,
                    "size_in_bytes": path.stat().st_size,
                    "expired": False,
                    "workflow_run": {"id": int(run_id)},
                }
            )
        return found

    def artifact_zip(self, artifact_id: int) -> Path | None:
        run_id, index = divmod(artifact_id, 1000)
        paths = sorted((self.artifact_root / str(run_id)).glob("*.zip"))
        return paths[index] if index < len(paths) else None


class _Handler(http.server.BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # --- plumbing ----------------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, *, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        ctype = "application/zip" if raw is not None else "application/json; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        return json.loads(data) if data else {}

    def _dispatch(self) -> None:
        fake = self.fake
        auth = self.headers.get("Authorization", "")
        authorized = auth.split(" ", 1)[-1] == fake.token
        split = urllib.parse.urlsplit(self.path)
        path = split.path.removeprefix("/api/v3")
        query = dict(urllib.parse.parse_qsl(split.query))
        with fake.lock:
            fake.state.requests.append(Request(self.command, split.path, time.time(), authorized))
        if not authorized:
            self._send(401, {"message": "Bad credentials"})
            return
        body = self._body() if self.command in {"POST", "PATCH", "PUT"} else {}
        with fake.lock:
            try:
                if split.path == "/api/graphql":
                    status, answer = _graphql(fake.state, body)
                else:
                    status, answer = _rest(fake, self.command, path, query, body)
            except KeyError as exc:
                status, answer = 404, {"message": f"Not Found ({exc})"}
            if status == 404 and answer.get("message") == "Not Found":
                fake.state.unhandled.append(f"{self.command} {self.path}")
        if isinstance(answer, Path):
            self._send(200, raw=answer.read_bytes())
        else:
            self._send(status, answer)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch


def _rest(
    fake: FakeGitHub, method: str, path: str, query: dict[str, str], body: dict[str, Any]
) -> tuple[int, Any]:
    state = fake.state
    prefix = f"/repos/{state.repository}/"
    if not path.startswith(prefix):
        return 404, {"message": "Not Found"}
    rest = path.removeprefix(prefix)
    if method == "GET" and (m := re.fullmatch(r"pulls/(\d+)", rest)):
        return 200, state.pulls[int(m[1])]
    if method == "GET" and (m := re.fullmatch(r"actions/runs/(\d+)/artifacts", rest)):
        artifacts = fake.artifacts(m[1])
        if "name" in query:
            artifacts = [a for a in artifacts if a["name"] == query["name"]]
        return 200, {"total_count": len(artifacts), "artifacts": artifacts}
    if method == "GET" and (m := re.fullmatch(r"actions/artifacts/(\d+)/zip", rest)):
        zip_path = fake.artifact_zip(int(m[1]))
        return (200, zip_path) if zip_path else (404, {"message": "Not Found"})
    if (m := re.fullmatch(r"issues/(\d+)/comments", rest)) and method == "GET":
        number = int(m[1])
        return 200, [c.rest() for c in state.comments if c.issue == number]
    if (m := re.fullmatch(r"issues/(\d+)/comments", rest)) and method == "POST":
        now = time.time()
        comment = Comment(state.new_id(), int(m[1]), str(body["body"]), BOT, now, now)
        state.comments.append(comment)
        return 201, comment.rest()
    if (m := re.fullmatch(r"issues/comments/(\d+)", rest)) and method == "PATCH":
        comment = next(c for c in state.comments if c.id == int(m[1]))
        comment.body, comment.updated = str(body["body"]), time.time()
        return 200, comment.rest()
    if rest == "labels" and method == "POST":
        name = str(body["name"])
        if name in state.labels:
            errors = [{"resource": "Label", "code": "already_exists", "field": "name"}]
            return 422, {"message": "Validation Failed", "errors": errors}
        state.labels[name] = {"name": name, "color": body.get("color", ""), "description": ""}
        state.labels[name]["description"] = body.get("description", "")
        return 201, state.labels[name]
    if (m := re.fullmatch(r"labels/([^/]+)", rest)) and method == "PATCH":
        name = urllib.parse.unquote(m[1])
        state.labels[name].update({k: v for k, v in body.items() if k != "new_name"})
        return 200, state.labels[name]
    return 404, {"message": "Not Found"}


def _graphql(state: GitHubState, body: dict[str, Any]) -> tuple[int, Any]:
    query = str(body.get("query", ""))
    variables = body.get("variables") or {}
    match = re.search(r"\b(query|mutation)\s+(\w+)", query)
    operation = match[2] if match else ""
    handler = _GRAPHQL.get(operation)
    if handler is None:
        state.unhandled.append(f"graphql {operation} {json.dumps(body)}")
        return 200, {"errors": [{"message": f"fake GitHub: no handler for {operation!r}"}]}
    if operation == "RepositoryResolveMetadataIDs":
        return 200, {"data": _resolve_label_ids(state, query)}
    return 200, {"data": handler(state, variables)}


def _issue_node(issue: Issue) -> dict[str, Any]:
    return {
        "id": issue.node_id,
        "number": issue.number,
        "title": issue.title,
        "body": issue.body,
        "state": issue.state,
        "url": f"https://example.invalid/issues/{issue.number}",
        "labels": {"nodes": [{"name": n} for n in issue.labels], "totalCount": len(issue.labels)},
    }


def _issue_fields(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    names = ["id", "number", "title", "body", "state", "url", "labels", "stateReason"]
    return {"Issue": {"fields": [{"name": n} for n in names]}}


def _issue_search(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    terms = dict(t.split(":", 1) for t in str(variables.get("query", "")).split() if ":" in t)
    found = [
        i
        for i in sorted(state.issues.values(), key=lambda i: -i.number)
        if ("state" not in terms or i.state == terms["state"].upper())
        and ("label" not in terms or terms["label"] in i.labels)
    ]
    return {
        "repository": {"hasIssuesEnabled": True},
        "search": {
            "issueCount": len(found),
            "nodes": [_issue_node(i) for i in found],
            "pageInfo": {"hasNextPage": False, "endCursor": ""},
        },
    }


def _repository_info(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    owner, name = state.repository.split("/")
    repo = {
        "id": "R_1",
        "name": name,
        "owner": {"login": owner},
        "hasIssuesEnabled": True,
        "description": "",
        "hasWikiEnabled": False,
        "viewerPermission": "WRITE",
        "defaultBranchRef": {"name": state.default_branch},
        "parent": None,
        "mergeCommitAllowed": True,
        "rebaseMergeAllowed": True,
        "squashMergeAllowed": True,
    }
    return {"repository": repo}


def _resolve_label_ids(state: GitHubState, query: str) -> dict[str, Any]:
    found = {}
    for alias, name in re.findall(r'(\w+): label\(name:"([^"]*)"\)', query):
        found[alias] = {"id": f"L_{name}", "name": name} if name in state.labels else None
    return {"repository": found}


def _create_issue(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    given = variables["input"]
    number = max([0, *state.issues, *state.pulls]) + 1
    labels = [str(i).removeprefix("L_") for i in given.get("labelIds") or []]
    issue = Issue(number, str(given["title"]), str(given.get("body", "")), labels)
    state.issues[number] = issue
    return {"createIssue": {"issue": _issue_node(issue)}}


def _issue_by_number(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    issue = state.issues[int(variables["number"])]
    return {
        "repository": {
            "hasIssuesEnabled": True,
            "issue": {"__typename": "Issue", **_issue_node(issue)},
        }
    }


def _issue_by_node(state: GitHubState, node_id: str) -> Issue:
    return next(i for i in state.issues.values() if i.node_id == node_id)


def _update_issue(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    given = variables["input"]
    issue = _issue_by_node(state, str(given["id"]))
    if "body" in given:
        issue.body = str(given["body"])
        issue.edits += 1
    return {"updateIssue": {"__typename": "UpdateIssuePayload"}}


def _add_comment(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    given = variables["input"]
    issue = _issue_by_node(state, str(given["subjectId"]))
    now = time.time()
    state.comments.append(Comment(state.new_id(), issue.number, str(given["body"]), BOT, now, now))
    url = f"https://example.invalid/issues/{issue.number}#comment"
    return {"addComment": {"commentEdge": {"node": {"url": url}}}}


def _close_issue(state: GitHubState, variables: dict[str, Any]) -> dict[str, Any]:
    issue = _issue_by_node(state, str(variables["input"]["issueId"]))
    issue.state = "CLOSED"
    return {"closeIssue": {"issue": {"id": issue.node_id}}}


_GRAPHQL = {
    "Issue_fields": _issue_fields,
    "IssueSearch": _issue_search,
    "RepositoryInfo": _repository_info,
    "RepositoryResolveMetadataIDs": _resolve_label_ids,  # answered from the query text
    "IssueCreate": _create_issue,
    "IssueByNumber": _issue_by_number,
    "IssueUpdate": _update_issue,
    "CommentCreate": _add_comment,
    "IssueClose": _close_issue,
}


@contextlib.contextmanager
def running(**kwargs: Any) -> Any:
    fake = FakeGitHub(**kwargs).start()
    try:
        yield fake
    finally:
        fake.stop()
