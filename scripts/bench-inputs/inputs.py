# The inputs kubeprep reads, each grown to a size N in a copy of the sample node: the rows of
# scripts/bench's scaling table and of scripts/check-scaling, the guard in the suite.
#
# Each directory here (one per issue that added inputs) holds inputs.list, one row per input:
#   NAME|GUARD SIZES (small large)|BENCH SIZES|WHAT
# and an executable NAME per row, called as `NAME TREE SIZE`: TREE is a fresh copy of
# tests/fixtures/nodes/centos7, which it grows by one input of SIZE (lines, users, documents, ...: see
# WHAT). It prints the kubeprep arguments to run, one per line; a line "<FILE" means standard input
# comes from FILE, and "!fresh" that the command changes the tree, so every run needs a fresh copy.
# Adding an input is one generator and one row.
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLE = os.path.join(ROOT, "tests", "fixtures", "nodes", "centos7")


class Input:
    def __init__(self, group, name, guard, sizes, what):
        self.group = group  # the directory: issue17, issue18...
        self.name = name
        self.guard = guard  # (small, large), 10x apart; empty: not in the guard
        self.sizes = sizes  # the bench's sizes
        self.what = what
        self.generator = os.path.join(HERE, group, name)


def all_inputs():
    """Every row of every inputs.list, in directory order."""
    rows = []
    for group in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, group, "inputs.list")
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                name, guard, sizes, what = line.rstrip("\n").split("|")
                rows.append(Input(group, name, tuple(int(s) for s in guard.split()),
                                  tuple(int(s) for s in sizes.split()), what))
    return rows


def tree_bytes(tree):
    return sum(os.lstat(os.path.join(d, f)).st_size for d, _, files in os.walk(tree) for f in files)


class Prepared:
    """A tree grown by one input: what to run in it, and how many bytes the input added."""

    def __init__(self, inp, n, workdir):
        self.tree = os.path.join(workdir, f"{inp.group}-{inp.name}-{n}")
        shutil.rmtree(self.tree, ignore_errors=True)
        # cp -a: the sample's owners and modes are part of it.
        subprocess.run(["cp", "-a", SAMPLE, self.tree], check=True)
        before = tree_bytes(self.tree)
        out = subprocess.run([inp.generator, self.tree, str(n)], check=True, capture_output=True,
                             text=True).stdout.splitlines()
        self.input_bytes = max(0, tree_bytes(self.tree) - before)
        self.stdin = next((line[1:] for line in out if line.startswith("<")), None)
        self.fresh = "!fresh" in out
        self.args = [line for line in out if not line.startswith("<") and line != "!fresh"]

    def command(self, binary):
        """The command for one run: for one that changes its tree, on a fresh copy of it."""
        if not self.fresh:
            return [binary] + self.args
        work = self.tree + ".run"
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["cp", "-a", self.tree, work], check=True)
        return [binary] + [a.replace(self.tree, work) for a in self.args]

    def stdin_file(self):
        return open(self.stdin or os.devnull, "rb")

    def remove(self):
        shutil.rmtree(self.tree, ignore_errors=True)
        shutil.rmtree(self.tree + ".run", ignore_errors=True)
