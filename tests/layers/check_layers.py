#!/usr/bin/python3
"""The layers of docs/architecture.md, enforced: each library in src/ links only the libraries
its layer may use (ALLOWED below, the table the document draws), each source file includes
headers only from its own folder and from libraries its library links (directly or through
them), and no library but pg/ (and pghactl's) sends SQL text. Reads src/*/CMakeLists.txt and every src/*/*.{h,cc}. Standard library only.

usage: check_layers.py [SRC_DIR]   exit 0 when every rule holds; 1 naming each break
       check_layers.py --selftest  the check finds a forbidden link and a stray include
"""
import os
import re
import sys

# library -> the libraries it may link (the one direction of dependencies)
ALLOWED = {
    "core": set(),
    "ha": {"core"},
    "scenario": {"core", "ha"},
    "config": {"core", "ha"},
    "dcs": {"core", "ha", "config"},
    "pg": {"core", "ha", "config"},
    "node": {"core", "ha", "config"},
    "api": {"core", "ha", "config", "dcs", "node"},
    "agent": {"core", "ha", "scenario", "config", "dcs", "pg", "node"},
    "local": {"core", "ha", "config", "pg"},
    "ctl": {"core", "ha", "scenario", "config", "dcs", "pg", "node", "api", "local"},
    "bin": {"core", "ha", "scenario", "config", "dcs", "pg", "node", "api", "agent", "local",
            "ctl"},
}
# Libraries that may not send SQL text themselves: they ask pg/ (pg/admin.h and the Postgres
# interface), one function per question. pghactl (ctl/, local/) runs an operator's SQL and
# bootstraps; pg/ is where the SQL lives.
NO_SQL = {"core", "ha", "scenario", "config", "dcs", "node", "api", "agent"}
SQL_CALL = re.compile(r"(?:\.|->)Query\(")
LINK = re.compile(r"(?:pgha_library|target_link_libraries)\s*\(([^)]*)\)", re.S)
INCLUDE = re.compile(r'^#include "([a-z_]+)/[^"]+"', re.M)


def declared(src, lib):
    """The pgha_* libraries src/LIB/CMakeLists.txt links, by folder name."""
    with open(os.path.join(src, lib, "CMakeLists.txt")) as f:
        text = re.sub(r"#[^\n]*", "", f.read())
    deps = set()
    for args in LINK.findall(text):
        deps |= {w[len("pgha_"):] for w in args.split() if w.startswith("pgha_")}
    return deps - {lib}


def selftest():
    import shutil
    import tempfile
    ok = True
    for what, files, expect in [
            ("clean", {"ha/CMakeLists.txt": "pgha_library(pgha_ha pgha_core)",
                       "core/CMakeLists.txt": "pgha_library(pgha_core)",
                       "ha/a.h": '#include "core/x.h"\n'}, 0),
            ("agent links api", {"agent/CMakeLists.txt": "pgha_library(pgha_agent pgha_api)",
                                 "api/CMakeLists.txt": "pgha_library(pgha_api)"}, 1),
            ("stray include", {"ha/CMakeLists.txt": "pgha_library(pgha_ha pgha_core)",
                               "core/CMakeLists.txt": "pgha_library(pgha_core)",
                               "dcs/CMakeLists.txt": "pgha_library(pgha_dcs pgha_ha)",
                               "ha/a.h": '#include "dcs/etcd.h"\n'}, 1),
            ("SQL in agent", {"agent/CMakeLists.txt": "pgha_library(pgha_agent)",
                              "agent/a.cc": 'auto r = pg_.Query("CHECKPOINT");'}, 1)]:
        d = tempfile.mkdtemp(prefix="pgha-layers.")
        for path, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(d, path), "w") as f:
                f.write(text + "\n")
        sys.argv = [sys.argv[0], d]
        got = main()
        shutil.rmtree(d)
        print("%s selftest %s: exit %d" % ("ok  " if got == expect else "FAIL", what, got))
        ok &= got == expect
    return 0 if ok else 1


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
    libs = sorted(d for d in os.listdir(src) if os.path.isfile(os.path.join(src, d, "CMakeLists.txt")))
    errors = []
    unknown = set(libs) - set(ALLOWED)
    if unknown:
        errors.append("src/%s: a library with no layer (add it to ALLOWED and to "
                      "docs/architecture.md)" % ", src/".join(sorted(unknown)))
    links = {lib: declared(src, lib) for lib in libs}
    for lib in libs:
        for dep in sorted(links[lib] - ALLOWED.get(lib, set())):
            errors.append("src/%s/CMakeLists.txt links pgha_%s: layer %s may not use %s"
                          % (lib, dep, lib, dep))
    def closure(lib, seen=None):
        seen = set() if seen is None else seen
        for dep in links.get(lib, ()):
            if dep not in seen:
                seen.add(dep)
                closure(dep, seen)
        return seen
    for lib in libs:
        reach = closure(lib) | {lib}
        for name in sorted(os.listdir(os.path.join(src, lib))):
            if not name.endswith((".h", ".cc")):
                continue
            with open(os.path.join(src, lib, name)) as f:
                text = f.read()
                if lib in NO_SQL and SQL_CALL.search(text):
                    errors.append("src/%s/%s sends SQL itself: ask pg/ (pg/admin.h)" % (lib, name))
                for inc in INCLUDE.findall(text):
                    if inc in libs and inc not in reach:
                        errors.append("src/%s/%s includes %s/: pgha_%s does not link pgha_%s"
                                      % (lib, name, inc, lib, inc))
    for e in errors:
        print("layers: " + e)
    print("layers: %d libraries, %s" % (len(libs), "%d breaks" % len(errors) if errors else "ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(selftest() if sys.argv[1:] == ["--selftest"] else main())
