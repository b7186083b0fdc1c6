#!/usr/bin/env python3
"""Code-health figures of a PeerGrid checkout (the README's development notes): functions over 80 lines, CSV
readers, catch sites that map errors, error types and their kind, nested pointer closures, and (when the
`duplicates` tool is on the PATH) pairs of repeated Swift code.

    python3 scripts/code-metrics.py [CHECKOUT]          # one column
    python3 scripts/code-metrics.py --list [CHECKOUT]   # and the functions over 80 lines
"""
import os, re, shutil, subprocess, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|package|static|final|override|'
                  r'mutating|nonisolated|convenience|required|open|class)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit|subscript)\s*[(<{]?')


def swift_files(root, sub):
    for d, _, files in os.walk(os.path.join(root, sub)):
        if '/.build' in d:
            continue
        for f in files:
            if f.endswith('.swift'):
                yield os.path.join(d, f)


def function_lengths(path):
    """(lines, first line, name) of every function, initializer and subscript with a body."""
    lines = open(path, encoding='utf-8').read().split('\n')
    out = []
    for i, line in enumerate(lines):
        m = DECL.match(line)
        if not m or line.strip().startswith('//'):
            continue
        depth, started, j = 0, False, i
        while j < len(lines):
            code = re.sub(r'"(?:\\.|[^"\\])*"', '""', lines[j]).split('//')[0]
            for ch in code:
                if ch == '{':
                    depth, started = depth + 1, True
                elif ch == '}':
                    depth -= 1
            if started and depth <= 0:
                break
            if not started and j > i and not lines[j].strip():
                break
            j += 1
        if started:
            out.append((j - i + 1, i + 1, m.group(1)))
    return out


def metrics(root):
    src = list(swift_files(root, 'Sources'))
    text = {p: open(p, encoding='utf-8').read() for p in src}
    long = sorted(((n, os.path.relpath(p, root), line, name) for p in src for n, line, name in function_lengths(p) if n > 80),
                  reverse=True)
    # CSV readers: files that split CSV records themselves, plus DataIO's reader when present.
    own_split = [p for p, t in text.items() if '/DataIO/' not in p
                 and re.search(r'(line|raw|row|header|record)\w*\s*\.(split\(separator: ","|components\(separatedBy: ",")', t)]
    readers = len(own_split) + (1 if any('/DataIO/CSV' in p for p in src) else 0)
    catches = sum(len(re.findall(r'catch let \w+ as ', t)) for t in text.values())
    cli_catches = sum(len(re.findall(r'catch let \w+ as ', t)) for p, t in text.items() if '/PeerGridCLI/' in p)
    error_types = [m.group(1) for t in text.values() for m in re.finditer(r'(?:struct|enum) (\w+Error)\b[^{]*\{', t)]
    kinded = [m.group(1) for t in text.values() for m in re.finditer(r'(?:struct|enum) (\w+Error)\b[^{]*PeerGridError', t)]
    pyramids = sum(1 for t in text.values() for line in t.split('\n') if line.count('withUnsafe') >= 3)
    formatters = sum(t.count('ISO8601DateFormatter()') for t in text.values())
    solver_enums = sum(len(re.findall(r'enum \w*(?:Solver|Backend|SolverChoice)\w*\s*:\s*String', t)) for t in text.values())
    sql_placeholders = max([t.count('?, ') for t in text.values()] or [0])
    figures = [
        ('functions over 80 lines (Sources)', len(long)),
        ('CSV readers (files splitting records themselves, + DataIO)', readers),
        ('`catch let ... as` sites mapping errors (all Sources)', catches),
        ('  of which in the CLI', cli_catches),
        ('error types', len(set(error_types))),
        ('  of which say their kind (PeerGridError)', len(set(kinded))),
        ('lines with 3 or more nested withUnsafe... closures', pyramids),
        ('ISO8601DateFormatter() built', formatters),
        ('solver enums', solver_enums),
        ('most `?, ` SQL placeholders in one file', sql_placeholders),
    ]
    if shutil.which('duplicates'):
        out = subprocess.run(['duplicates', '--repo', root, '--most', '200', '--seconds', '120'], capture_output=True, text=True).stdout
        pairs = [l for l in out.split('\n') if re.match(r'D\d+ ', l)]
        swift = [l for l in pairs if all(side.split(':')[0].endswith('.swift') for side in l.split(' ', 1)[1].split(' ~ ')[:2])]
        figures.append(('`duplicates` pairs between Swift files', len(swift)))
    return figures, long


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--list']
    figures, long = metrics(args[0] if args else '.')
    for name, value in figures:
        print(f'{value:6d}  {name}')
    if '--list' in sys.argv:
        for n, path, line, name in long:
            print(f'{n:6d}  {path}:{line} {name}')
