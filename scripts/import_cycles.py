"""Import circles between the modules of src/ (issue 16): which modules reach each other
through `crate::` and `super::` paths, tests left out. Prints each circle (a strongly
connected component of the import graph) and fails when more modules stand in circles than
`--max` allows: a ratchet that only moves down, to 0.

    python3 scripts/import_cycles.py --max 0
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
            if name.endswith(".rs") and not (root == SRC and name == "main.rs"):
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=0, help="most modules allowed in circles")
    args = ap.parse_args()
    found = circles(graph())
    total = sum(len(c) for c in found)
    for c in found:
        print(f"circle of {len(c)}: {', '.join(c)}")
    print(f"{total} modules in {len(found)} import circles (allowed: {args.max})")
    sys.exit(1 if total > args.max else 0)


if __name__ == "__main__":
    main()
