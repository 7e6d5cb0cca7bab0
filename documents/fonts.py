"""The CJK faces used in generated PDFs and how they are prepared.

WeasyPrint embeds a subset of every font a document uses. Debian's Noto CJK faces are
65,535-glyph CFF fonts inside .ttc collections: subsetting one of those per document is slow
(about 3.5 s per face with fontTools, the fallback WeasyPrint uses when HarfBuzz-subset is
missing) and makes every PDF carry a large font. ``scripts/build_fonts.py`` therefore prepares,
once at setup time, a standalone TrueType file per face holding only the GB 2312 character set,
Latin letters and the punctuation of official documents. Characters outside that set (rare
characters in names such as 䶮, 堃, 㛃) still render: every font-family stack below falls back to
the complete system face of the same design, and then to other full-coverage faces.

This module holds no Django imports at module level so that the build script can use it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Bumped whenever the way faces are built changes, so that build_fonts.py rebuilds them.
BUILD_VERSION = 4

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Face:
    """One prepared face: a role of GB/T 9704 and the free font standing in for it.

    `name` gives the rest: key "fangsong", family "Portal FangSong" (the @font-face family of the
    stylesheets), file "portal-fangsong.ttf" and the override variable PORTAL_FONT_FANGSONG."""

    name: str  # the role in Latin letters, e.g. "FangSong"
    source: str  # path of the system font file
    source_name: str  # family + subfamily name of the face inside a .ttc collection
    weight: int
    fallbacks: tuple[str, ...]  # full-coverage system families, best match first
    role: str  # what the face stands in for, for the docs and the bench

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def family(self) -> str:
        return f"Portal {self.name}"

    @property
    def output(self) -> str:
        """File name inside the font directory."""
        return f"portal-{self.key}.ttf"

    @property
    def env_override(self) -> str:
        """Environment variable that may point at a licensed face instead."""
        return f"PORTAL_FONT_{self.key.upper()}"

    @property
    def css_stack(self) -> str:
        return self.stack()

    def stack(self, prefer: str = "") -> str:
        names = ((prefer,) if prefer else ()) + (self.family, *self.fallbacks, *COMMON_FALLBACKS)
        return ", ".join(f'"{name}"' for name in dict.fromkeys(names))


NOTO = "/usr/share/fonts/opentype/noto"

# Full-coverage faces every stack ends with (TrueType, CJK Unified Ideographs + Extension A).
COMMON_FALLBACKS = ("AR PL UMing CN", "WenQuanYi Zen Hei")

FACES: tuple[Face, ...] = (
    Face("FangSong", f"{NOTO}/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", 400, ("Noto Serif CJK SC",),
         role="仿宋 (body text, 3号) and 宋体 (page numbers): Noto Serif CJK SC Regular"),
    Face("XiaoBiaoSong", f"{NOTO}/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC Bold", 700, ("Noto Serif CJK SC",),
         role="小标宋 (titles, 2号): Noto Serif CJK SC Bold"),
    Face("HeiTi", f"{NOTO}/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", 400, ("Noto Sans CJK SC", "WenQuanYi Zen Hei"),
         role="黑体 (level-1 headings): Noto Sans CJK SC Regular"),
    Face("KaiTi", "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", "LXGW WenKai", 400,
         ("LXGW WenKai", "AR PL UKai CN"), role="楷体 (level-2 headings): LXGW WenKai Regular"),
)


# The faces GB/T 9704 names, as sites that licensed them have them installed (fontconfig family names).
# When one is installed, build_fonts.py prepares it instead of the free stand-in and the PDFs prefer it.
SITE_FAMILIES: dict[str, tuple[str, ...]] = {
    "fangsong": ("FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "华文仿宋", "FZFangSong-Z02S", "方正仿宋简体"),
    "xiaobiaosong": ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "FZXiaoBiaoSong-B05", "方正小标宋_GBK", "FZXBSJW--GB1-0"),
    "heiti": ("SimHei", "黑体", "STHeiti", "华文黑体", "FZHei-B01S", "方正黑体简体"),
    "kaiti": ("KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "华文楷体", "FZKai-Z03S", "方正楷体简体"),
}

# What each role is called in the documents' own words, for the document panel.
ROLE_NAMES = {"fangsong": "仿宋", "xiaobiaosong": "小标宋", "heiti": "黑体", "kaiti": "楷体"}


@lru_cache(maxsize=1)
def _installed_families() -> dict[str, str]:
    """Family name → font file of every face fontconfig knows (empty when fc-list is missing)."""
    import subprocess  # nosec B404 - runs fontconfig's fc-list with fixed arguments, no user input

    try:
        listing = subprocess.run(["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True, text=True,  # nosec B603 B607
                                 timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    families: dict[str, str] = {}
    for line in listing.splitlines():
        names, _, path = line.partition("\t")
        for name in names.split(","):
            families.setdefault(name.strip(), path.strip())
    return families


def site_face(key: str) -> tuple[str, str] | None:
    """(family, file) of a real face for this role installed on the site, e.g. ("仿宋_GB2312", "/usr/…/simfang.ttf")."""
    installed = _installed_families()
    for family in SITE_FAMILIES.get(key, ()):
        if family in installed:
            return family, installed[family]
    return None


def face_report(font_dir: Path | None = None) -> list[dict]:
    """For each role: the face the PDFs are set in and whether it is the real one or a stand-in, from
    the prepared fonts' manifest (what build_fonts.py actually used) and the site's installed faces."""
    manifest = read_manifest(Path(font_dir or default_font_dir())).get("faces", {})
    report = []
    for face in FACES:
        source = (manifest.get(face.key) or {}).get("source") or {}
        path = source.get("path") or face.source
        real = site_face(face.key)
        overridden = bool(os.environ.get(face.env_override, "").strip())
        genuine = overridden or (real is not None and real[1] == path)
        used = (real[0] if genuine and real else Path(path).stem if overridden else source.get("name") or face.source_name)
        report.append({"key": face.key, "role": ROLE_NAMES[face.key], "face": used, "genuine": genuine,
                       "installed": real[0] if real else ""})
    return report


def gb2312_codepoints() -> set[int]:
    """Every character of GB 2312 (7,445 characters, 6,763 of them Hanzi)."""
    codepoints = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codepoints.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return codepoints


# Blocks kept beside GB 2312: Latin (names of foreign nationals), punctuation of official
# documents (〔〕“”（）—、。，：；…), symbols of the seed forms (√ □ ■), circled and
# parenthesised numbers, full-width forms.
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x0300, 0x036F),  # combining diacritics
    (0x2000, 0x206F),  # General Punctuation (— “ ” … ‰)
    (0x2100, 0x218F),  # Letterlike symbols, Number forms (℃ № Ⅰ)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical operators (√ × ≤)
    (0x2460, 0x24FF),  # Enclosed alphanumerics (① ⑴ ⒈)
    (0x2500, 0x25FF),  # Box drawing, Geometric shapes (□ ■ ○ ●)
    (0x2600, 0x26FF),  # Misc symbols (☑ ☐ ★)
    (0x3000, 0x303F),  # CJK Symbols and Punctuation (、。〔〕《》【】)
    (0x3200, 0x32FF),  # Enclosed CJK (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # Half-width and full-width forms (（）：；，％)
)


def subset_codepoints() -> set[int]:
    codepoints = gb2312_codepoints()
    for start, end in EXTRA_RANGES:
        codepoints.update(range(start, end + 1))
    return codepoints


def default_font_dir() -> Path:
    """var/fonts, where build_fonts.py writes; the settings' VAR_DIR wins when Django is set up."""
    try:
        from django.conf import settings

        if settings.configured:
            explicit = getattr(settings, "DOCUMENT_FONT_DIR", None)
            if explicit:
                return Path(explicit)
            return Path(settings.VAR_DIR) / "fonts"
    except ImportError:  # pragma: no cover - the build script runs without Django too
        pass
    var_dir = os.environ.get("PORTAL_VAR_DIR") or Path(__file__).resolve().parent.parent / "var"
    return Path(var_dir) / "fonts"


def read_manifest(font_dir: Path) -> dict:
    try:
        return json.loads((font_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@lru_cache(maxsize=8)
def _font_face_css(font_dir: str, manifest_mtime: float) -> tuple[str, tuple[str, ...]]:
    """manifest_mtime is only part of the cache key: a rebuilt manifest is read again."""
    directory = Path(font_dir)
    manifest = read_manifest(directory)
    rules = []
    missing = []
    for face in FACES:
        entry = manifest.get("faces", {}).get(face.key)
        path = directory / face.output
        if not entry or not path.exists():
            missing.append(face.key)
            continue
        rules.append(
            "@font-face { "
            f'font-family: "{face.family}"; '
            f'src: url("{path.as_uri()}") format("truetype"); '
            f"font-weight: {face.weight}; font-style: normal; }}"
        )
    return "\n".join(rules), tuple(missing)


def font_face_css(font_dir: Path | None = None) -> tuple[str, tuple[str, ...]]:
    """The @font-face rules for the prepared faces, and the keys of faces not built yet.

    A face that has not been built is simply left out: its stack then starts with the complete
    system face, which renders the same glyphs, only more slowly.
    """
    directory = Path(font_dir or default_font_dir())
    try:
        mtime = (directory / MANIFEST_NAME).stat().st_mtime
    except OSError:
        mtime = 0.0
    return _font_face_css(str(directory), mtime)


def font_stacks() -> dict[str, str]:
    """CSS font-family values by role, for the print stylesheet."""
    # A real face the site installed after the fonts were prepared from a stand-in wins over the stand-in.
    report = {row["key"]: row for row in face_report()}
    stacks = {
        face.key: face.stack(prefer=report[face.key]["installed"] if not report[face.key]["genuine"] else "")
        for face in FACES
    }
    stacks["songti"] = stacks["fangsong"]  # page numbers: 4号 宋体; Noto Serif is a 宋体
    return stacks
