#!/usr/bin/env python3
"""Prepare the CJK faces used by generated PDFs (run once at setup; cached).

For every face of ``documents.fonts.FACES`` this extracts the simplified-Chinese face from the
system font (a .ttc collection for Noto CJK), keeps only GB 2312 plus Latin and the punctuation
of official documents, converts CFF outlines to TrueType ones (WeasyPrint subsets glyf fonts
much faster than CFF ones) and renames the face so that it never shadows the complete system
face that the stylesheets use as fallback for rarer characters.

Outputs go to ``$PORTAL_VAR_DIR/fonts`` (default ``var/fonts``) with a ``manifest.json``
recording each source's size, mtime and SHA-256. A face whose output exists and whose source is
unchanged is skipped, so running the script again costs well under a second.

    python scripts/build_fonts.py            # build what is missing or stale
    python scripts/build_fonts.py --check    # exit 1 if anything is missing or stale
    python scripts/build_fonts.py --force    # rebuild everything

A licensed face can replace a free one: PORTAL_FONT_FANGSONG=/path/仿宋_GB2312.ttf (also
PORTAL_FONT_XIAOBIAOSONG, PORTAL_FONT_HEITI, PORTAL_FONT_KAITI; ``path#N`` picks face N of a
collection).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from documents.fonts import (  # noqa: E402
    BUILD_VERSION,
    FACES,
    MANIFEST_NAME,
    Face,
    read_manifest,
    site_face,
    subset_codepoints,
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_source(face: Face) -> tuple[Path, str | None, int | None]:
    """The source file, the face name to look for inside it, or an explicit collection index."""
    override = os.environ.get(face.env_override, "").strip()
    if override:
        path, _, index = override.partition("#")
        return Path(path), None, int(index) if index else 0
    installed = site_face(face.key)  # a licensed 仿宋 / 小标宋 … the site has installed
    if installed is not None:
        return Path(installed[1]), installed[0], None
    return Path(face.source), face.source_name, None


def find_face_index(path: Path, name: str | None, index: int | None) -> int:
    from fontTools.ttLib import TTCollection

    if index is not None:
        return index
    with path.open("rb") as handle:
        is_collection = handle.read(4) == b"ttcf"
    if not is_collection:
        return -1
    collection = TTCollection(str(path), lazy=True)
    for number, font in enumerate(collection.fonts):
        names = {font["name"].getDebugName(4), font["name"].getDebugName(1)}
        if name in names:
            return number
    raise SystemExit(f"{path}: no face named {name!r}")


def source_fingerprint(face: Face) -> dict:
    path, name, index = resolve_source(face)
    if not path.exists():
        raise SystemExit(
            f"{face.key}: source font {path} is missing; install the Debian packages listed in "
            "the README (fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-uming fonts-arphic-ukai "
            "fonts-wqy-zenhei) or set " + face.env_override
        )
    stat = path.stat()
    return {
        "path": str(path),
        "name": name,
        "index": index,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


def cff_to_glyf(font) -> None:
    """Replace CFF outlines by quadratic TrueType ones (fontTools cu2qu)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        # Max error 1 unit of 1000 per em: invisible at any print size.
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    font["head"].glyphDataFormat = 0
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attribute in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
        "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and PDF viewers use ToUnicode anyway
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font, family: str) -> None:
    """Give the face its own names so that fontconfig never mistakes it for the full face."""
    postscript = family.replace(" ", "")
    table = font["name"]
    keep = {0, 7, 8, 9, 11, 12, 13, 14}  # copyright, trademark, vendor, designer, license
    table.names = [record for record in table.names if record.nameID in keep]
    for name_id, value in (
        (1, family),
        (2, "Regular"),
        (3, f"{postscript};build{BUILD_VERSION}"),
        (4, family),
        (5, f"Version {BUILD_VERSION}; subset of the source face for the award portal"),
        (6, postscript),
    ):
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def build_face(face: Face, output: Path) -> dict:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    started = time.perf_counter()
    path, name, index = resolve_source(face)
    number = find_face_index(path, name, index)
    font = TTFont(str(path), fontNumber=number) if number >= 0 else TTFont(str(path))

    options = subset.Options()
    # No glyph closure over OpenType features: the locl variants for Japanese, Korean and
    # Traditional Chinese would double the glyph count, and WeasyPrint drops GSUB anyway.
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.notdef_glyph = True
    options.recommended_glyphs = True
    options.hinting = False
    options.desubroutinize = True
    options.glyph_names = False
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "JSTF", "DSIG", "SVG ", "meta"]
    subsetter = subset.Subsetter(options)
    codepoints = subset_codepoints()
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)

    outline = "CFF" if "CFF " in font else "glyf"
    if outline == "CFF":
        cff_to_glyf(font)
    rename(font, face.family)

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=output.parent, suffix=".tmp", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        font.save(str(temporary))
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)

    cmap = font.getBestCmap()
    return {
        "file": output.name,
        "family": face.family,
        "source_outline": outline,
        "glyphs": font["maxp"].numGlyphs,
        "codepoints": len(cmap),
        "size": output.stat().st_size,
        "sha256": sha256_of(output),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _build(args: tuple[Face, str, dict]) -> tuple[str, dict]:
    face, font_dir, fingerprint = args
    entry = build_face(face, Path(font_dir) / face.output)
    entry["source"] = fingerprint
    return face.key, entry


def is_current(face: Face, entry: dict | None, font_dir: Path, fingerprint: dict) -> bool:
    if not entry:
        return False
    output = font_dir / face.output
    if not output.exists() or output.stat().st_size != entry.get("size"):
        return False
    previous = entry.get("source", {})
    same_identity = all(previous.get(key) == fingerprint[key] for key in ("path", "name", "index"))
    if not same_identity or previous.get("size") != fingerprint["size"]:
        return False
    if previous.get("mtime_ns") == fingerprint["mtime_ns"]:
        return True
    # Touched but maybe not changed (a package reinstall): compare the content.
    return previous.get("sha256") == sha256_of(Path(fingerprint["path"]))


def main(argv: list[str] | None = None) -> int:
    from documents.fonts import default_font_dir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=None, help="output directory (default var/fonts)")
    parser.add_argument("--force", action="store_true", help="rebuild every face")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if stale")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(argv)

    font_dir = (options.dir or default_font_dir()).resolve()
    manifest = read_manifest(font_dir)
    if manifest.get("version") != BUILD_VERSION:
        manifest = {"version": BUILD_VERSION, "faces": {}}
    entries = manifest.setdefault("faces", {})

    todo = []
    for face in FACES:
        fingerprint = source_fingerprint(face)
        if not options.force and is_current(face, entries.get(face.key), font_dir, fingerprint):
            print(f"{face.key:13s} up to date   {font_dir / face.output}")
            continue
        fingerprint["sha256"] = sha256_of(Path(fingerprint["path"]))
        todo.append((face, str(font_dir), fingerprint))

    if options.check:
        for face, _, _ in todo:
            print(f"{face.key:13s} MISSING OR STALE")
        return 1 if todo else 0
    if not todo:
        return 0

    started = time.perf_counter()
    print(f"building {len(todo)} face(s) into {font_dir} with {options.jobs} process(es)...", flush=True)
    with ProcessPoolExecutor(max_workers=max(1, min(options.jobs, len(todo)))) as pool:
        for key, entry in pool.map(_build, todo):
            entries[key] = entry
            print(
                f"{key:13s} built in {entry['seconds']:5.1f} s: {entry['glyphs']} glyphs, "
                f"{entry['codepoints']} characters, {entry['size'] // 1024} KiB "
                f"(source outlines {entry['source_outline']})",
                flush=True,
            )
            # Write after each face so an interrupted run keeps what it finished.
            write_manifest(font_dir, manifest)
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def write_manifest(font_dir: Path, manifest: dict) -> None:
    font_dir.mkdir(parents=True, exist_ok=True)
    target = font_dir / MANIFEST_NAME
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, target)


if __name__ == "__main__":
    sys.exit(main())
