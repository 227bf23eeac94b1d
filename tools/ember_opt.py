"""`ember-opt`: parse ember IR, verify it, run passes on it and print the result.

Passes are given one flag each (`--ember-fuse`, run in command-line order; every entry of
`ember.passes.PASSES` gets its flag) or as one `--pass-pipeline` that may mix ember passes
with upstream MLIR ones. Bad input is reported as `FILE:LINE:COL: error: ...` on stderr
with exit status 1.

Example:
    $ ember-opt model.mlir --ember-canonicalize --ember-fuse
    $ ember-opt model.mlir --pass-pipeline='builtin.module(ember-fuse, ember-to-linalg, cse)'
    $ ember-opt --print-dialect > dialects/ember.irdl.mlir
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

from ..dialects import make_context, verify
from ..dialects.irdl import irdl_text
from ..dialects.verifier import mlir_error_to_verification
from ..frontend.errors import EmberError, VerificationError
from ..passes import PASSES, PassPipeline, split_pipeline

STDIN = "-"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # NOTE: argparse exits with 2; a bad command line is bad input like any other (1).
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ember-opt", description="Parse, verify and transform ember IR.")
    parser.add_argument("input", nargs="?", default=STDIN, help="input file ('-': stdin)")
    parser.add_argument("-o", dest="output", default=STDIN, help="output file ('-': stdout)")
    parser.add_argument("--pass-pipeline", metavar="PIPELINE",
                        help="e.g. 'builtin.module(ember-fuse, canonicalize, func.func(cse))'")
    for info in PASSES.values():
        parser.add_argument(f"--{info.name}", dest="passes", action="append_const",
                            const=info.name, help=info.description)
    parser.add_argument("--print-ir-after-all", action="store_true",
                        help="print the IR after every pass (stderr)")
    parser.add_argument("--mlir-print-debuginfo", action="store_true",
                        help="print locations with the output")
    parser.add_argument("--list-passes", action="store_true", help="list ember's passes")
    parser.add_argument("--print-dialect", action="store_true",
                        help="print the ember dialect's IRDL definition")
    return parser


def read_input(path: str) -> str:
    if path == STDIN:
        return sys.stdin.read()
    try:
        with open(path) as f:
            return f.read()
    except OSError as err:
        raise EmberError(f"could not open input file '{path}': {err.strerror}") from None


def parse_module(path: str, context):
    """The module in `path` (or stdin); raises VerificationError at a syntax error."""
    from mlir import ir

    text = read_input(path)
    with context:
        try:
            # NOTE: parseFile, so that locations name the file (Module.parse says "-").
            return ir.Module.parse(text) if path == STDIN else ir.Module.parseFile(path)
        except ir.MLIRError as err:
            located = None if err.error_diagnostics else _custom_form_error(text, path)
            raise located or mlir_error_to_verification(err) from None


_CUSTOM_FORM = re.compile(r'(?<!")\bember\.\w+(?=\s*\()')


def _custom_form_error(text: str, path: str):
    """IRDL ops have only the generic form; MLIR's parser rejects `ember.exp(%x)` without
    saying where, so find the first such op here."""
    for number, line in enumerate(text.splitlines(), 1):
        match = _CUSTOM_FORM.search(line.split("//", 1)[0])
        if match is not None:
            return VerificationError(
                f"{path}:{number}:{match.start() + 1}",
                f"custom op '{match.group()}' is unknown: ember ops are written in the generic "
                f"form, \"{match.group()}\"(%x) : (tensor<...>) -> tensor<...>")
    return None


def transform(args) -> str:
    """Parses, verifies and transforms `args.input`; returns the module's text."""
    if args.pass_pipeline is not None and args.passes:
        raise EmberError("--pass-pipeline cannot be combined with individual pass flags")
    elements = split_pipeline(args.pass_pipeline or "") or list(args.passes or [])
    context = make_context()
    pipeline = PassPipeline(elements, context, print_ir_after_all=args.print_ir_after_all,
                            verify_each=True)
    module = parse_module(args.input, context)
    verify(module)
    pipeline.run(module)
    return module.operation.get_asm(enable_debug_info=args.mlir_print_debuginfo)


def write_output(text: str, path: str) -> None:
    """Writes to stdout, or atomically to `path` (a temporary file beside it, then renamed)."""
    if path == STDIN:
        sys.stdout.write(text)
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as err:
        raise EmberError(f"cannot write '{path}': {err.strerror}") from None
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, _new_file_mode())  # NOTE: mkstemp creates 0600; keep the usual mode
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def error_text(err: Exception, input_path: str) -> str:
    """`FILE:LINE:COL: error: ...` (stdin, which MLIR calls '-', as `<stdin>`), or
    `ember-opt: error: ...` for errors without a location."""
    text = str(err).rstrip()
    if input_path == STDIN and text.startswith("-:"):
        text = "<stdin>" + text[1:]
    if ": error: " not in text.split("\n", 1)[0]:
        text = f"ember-opt: error: {text}"
    return text


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_passes:
        width = max(map(len, PASSES))
        for info in PASSES.values():
            print(f"{info.name:<{width}}  {info.description}")
        return 0
    if args.print_dialect:
        sys.stdout.write(irdl_text())
        return 0
    try:
        write_output(transform(args), args.output)
    except (EmberError, ValueError, OSError) as err:
        # NOTE: ValueError: an unknown or malformed upstream pass in the PassManager.
        print(error_text(err, args.input), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
