"""Save the six pictures of ``derivlab.plot`` as PNGs (640x480, dpi 100) in docs/img/.

    MPLBACKEND=Agg python benchmarks/pictures.py [outdir]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402 - matplotlib's own dependency

import derivlab  # noqa: E402
from derivlab import plot  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "img"


def save(ax, name):
    ax.figure.set_size_inches(6.4, 4.8)
    path = OUT / name
    ax.figure.savefig(path, dpi=100)
    plt.close(ax.figure)
    with Image.open(path) as im:  # 256 colours: a third of the size, no visible change
        im.convert("RGB").quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path}  {path.stat().st_size // 1024} KB")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    save(plot.tangent("3*x*exp(x)", 1.0, h=[1, 0.5, 0.25]), "tangent.png")
    save(plot.surface("(x**3 + 4*x)*exp(-y^2)", (-2, 2), (-2, 2)), "surface.png")
    save(plot.contour("(x**3 + 4*x)*exp(-y^2)", (-2, 2), (-2, 2)), "contour.png")
    save(plot.field("x^2 + 3*y^2", (-2, 2), (-2, 2)), "field.png")
    save(plot.error_vs_step("3*x*exp(x)", 2.0), "error_vs_step.png")
    run = derivlab.gradient_descent("x^2 + 3*y^2", [-1.8, 1.2], lr=0.1, steps=25)
    save(plot.descent("x^2 + 3*y^2", run), "descent.png")


if __name__ == "__main__":
    main()
