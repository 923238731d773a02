"""The house's walls, checked (issues 16 and 31), tests left out:

- import circles between the modules of src/ (which modules reach each other through
  `crate::` and `super::` paths): each circle (a strongly connected component) is printed;
- two-way pairs of top-level folders (`auth` imports `users` and `users` imports `auth`);
- HTTP below the edge: lines outside the HTTP edge (handlers, the extractors, the problem
  renderer, the composition root) that name `ApiError`, `ApiResult`, `StatusCode`,
  `HttpResponse`, `HttpRequest` or `actix_web`; in a `model`, `queries` or `service` file
  there may be none at all.

Each count fails the run when it is over its `--max-*`: ratchets that only move down, to 0.

    python3 scripts/import_cycles.py --max 0 --max-pairs 0 --max-http 0
"""
import argparse
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib"):
        rel = rel[:-1]
    return "::".join(rel)


def without_tests(text):
    cut = re.search(r"#\[cfg\(test\)\]\s*mod tests", text)
    return text[: cut.start()] if cut else text


def graph():
    files = {}
    for root, _, names in os.walk(SRC):
        for name in names:
            # A `tests.rs` beside a module is its unit tests, left out like `mod tests {}`.
            if name.endswith(".rs") and name != "tests.rs" and not (root == SRC and name == "main.rs"):
                path = os.path.join(root, name)
                files[module_of(path)] = without_tests(open(path, encoding="utf-8").read())
    modules = set(files)
    edges = {m: set() for m in modules}
    for module, text in files.items():
        parent = module.rsplit("::", 1)[0] if "::" in module else ""
        for match in re.finditer(r"\b(crate|super)((?:::\{?[A-Za-z_][A-Za-z0-9_]*)+)", text):
            base = "" if match.group(1) == "crate" else parent
            parts = [p.strip("{") for p in match.group(2).split("::") if p]
            # A `use` list (`crate::a::{b, c}`) names modules inside `a` too.
            tail = text[match.end(): match.end() + 200]
            group = re.match(r"::\{([^}]*)\}", tail)
            candidates = [parts]
            if group:
                candidates += [parts + [g.strip().split("::")[0]] for g in group.group(1).split(",") if g.strip()]
            for cand in candidates:
                target = None
                for n in range(len(cand), 0, -1):
                    name = "::".join(([base] if base else []) + cand[:n])
                    if name in modules:
                        target = name
                        break
                if target and target != module and target != "":
                    edges[module].add(target)
        # Paths relative to this module (`use session::AuthUser;`, `roles::Scope`) name its
        # children; a `pub use` of a child is a real dependency on it.
        for match in re.finditer(r"(?<![:\w])([a-z_][a-z0-9_]*)::", text):
            child = f"{module}::{match.group(1)}" if module else match.group(1)
            if child in modules and child != module:
                edges[module].add(child)
    return edges


def circles(edges):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def two_way_pairs(edges):
    """Pairs of top-level folders (or root files) that import each other."""
    top = {}
    for module, targets in edges.items():
        a = module.split("::")[0]
        for target in targets:
            b = target.split("::")[0]
            if a != b:
                top.setdefault(a, set()).add(b)
    return sorted({tuple(sorted((a, b))) for a in top for b in top[a] if a in top.get(b, ())})


HTTP = re.compile(r"\b(ApiError|ApiResult|StatusCode|HttpResponse|HttpRequest|actix_web)\b")
# Root modules that are the HTTP edge: the composition root, the extractors and the problem
# renderer, request plumbing, the supervisor page.
EDGE_ROOTS = {"main", "app", "openapi", "error", "extract", "access_log", "request_id",
              "client_addr", "caching", "path_text", "web"}
LAYERS = {"model", "queries", "service"}


def is_edge(module):
    parts = module.split("::")
    return parts[0] in EDGE_ROOTS or "handlers" in parts or "http" in parts


def http_below_edge():
    """(module, line number, line) for each line outside the edge naming an HTTP type, and
    whether the module is a model, queries or service file."""
    found = []
    for root, _, names in os.walk(SRC):
        for name in names:
            if not name.endswith(".rs") or name == "tests.rs":
                continue
            path = os.path.join(root, name)
            module = module_of(path) or "lib"
            if is_edge(module):
                continue
            text = without_tests(open(path, encoding="utf-8").read())
            for number, line in enumerate(text.splitlines(), 1):
                if line.lstrip().startswith("//"):
                    continue
                if HTTP.search(line):
                    layer = bool(LAYERS & set(module.split("::")))
                    found.append((module, number, line.strip(), layer))
    return sorted(found)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=0, help="most modules allowed in circles")
    ap.add_argument("--max-pairs", type=int, default=0, help="most two-way folder pairs allowed")
    ap.add_argument("--max-http", type=int, default=0, help="most lines outside the edge naming HTTP")
    ap.add_argument("--verbose", action="store_true", help="print every pair and line")
    args = ap.parse_args()
    edges = graph()
    found = circles(edges)
    total = sum(len(c) for c in found)
    for c in found:
        print(f"circle of {len(c)}: {', '.join(c)}")
    print(f"{total} modules in {len(found)} import circles (allowed: {args.max})")
    pairs = two_way_pairs(edges)
    for a, b in pairs:
        print(f"two-way: {a} <-> {b}")
    print(f"{len(pairs)} pairs of top-level folders import each other (allowed: {args.max_pairs})")
    http = http_below_edge()
    in_layers = [h for h in http if h[3]]
    for module, number, line, layer in http:
        if args.verbose or layer:
            print(f"http below the edge: {module}:{number}: {line}")
    print(f"{len(http)} lines outside the HTTP edge name HTTP types (allowed: {args.max_http}); "
          f"{len(in_layers)} of them in model, queries or service files (allowed: 0)")
    failed = total > args.max or len(pairs) > args.max_pairs or len(http) > args.max_http or in_layers
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
