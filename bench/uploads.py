"""
Peak memory of a worker while large images are uploaded at once:
`make bench-uploads`, or

    .venv/bin/python bench/uploads.py [--uploads 4] [--megapixels 40]

1. makes a PNG of the given size (a smooth gradient, so that the file stays
   under IMAGE_MAX_BYTES), in a process of its own;
2. starts a fresh process, as a worker is: Django set up on a throwaway
   SQLite database and media folder, and measures its resident memory;
3. in that process, starts the uploads together, one thread each, each
   saving the PNG through services.save_image (validation, then renditions),
   as the admin's image form does;
4. prints the worker's memory before the uploads and its peak, read from
   getrusage(RUSAGE_SELF), and the seconds taken. Exits 1 when an upload
   failed or the peak is over --limit-mb.

Not part of make test: a few seconds per 40-megapixel upload.
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_png(path, megapixels):
    from PIL import Image

    height = int((megapixels * 1_000_000 * 2 / 3) ** 0.5)
    width = megapixels * 1_000_000 // height
    red = Image.linear_gradient("L").resize((width, height))
    blue = red.transpose(Image.Transpose.ROTATE_180)
    green = Image.new("L", (width, height), 90)
    Image.merge("RGB", (red, green, blue)).save(path, "PNG")
    print(json.dumps({"width": width, "height": height}))


def peak_mb():
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path, uploads):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")
    from django.conf import settings

    # Uploads wait on one another's transactions; SQLite's default 5 s is too short.
    settings.DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 300
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection

    from archive import services
    from archive.models import Image

    call_command("migrate", verbosity=0)
    connection.close()
    content = Path(path).read_bytes()
    before = peak_mb()
    errors = []

    def upload(number):
        try:
            image = Image(alt_text=f"Upload {number}")
            image.file = ContentFile(content, name=f"upload-{number}.png")
            services.save_image(image=image)
        except Exception as error:  # reported, and the run fails
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(uploads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "before_mb": round(before),
                "peak_mb": round(peak_mb()),
                "seconds": round(time.monotonic() - started, 1),
                "saved": Image.objects.count(),
                "errors": errors,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=4)
    parser.add_argument("--megapixels", type=int, default=40)
    parser.add_argument("--limit-mb", type=int, default=400)
    parser.add_argument("--make-png", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_png:
        return make_png(args.make_png, args.megapixels)
    if args.measure:
        return measure(args.measure, args.uploads)

    with tempfile.TemporaryDirectory() as folder:
        png = Path(folder, "upload.png")
        made = json.loads(run(["--make-png", str(png), "--megapixels", str(args.megapixels)]))
        environment = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/db.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "PRIVATE_MEDIA_ROOT": f"{folder}/private-media",
            "REDIS_URL": "",
            # As a worker runs in production.
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        }
        result = json.loads(
            run(["--measure", str(png), "--uploads", str(args.uploads)], environment)
        )
    print(
        f"{args.uploads} uploads at once of a {made['width']} × {made['height']} PNG "
        f"({png_mb(made)} MB decoded), {result['seconds']} s: worker resident memory "
        f"{result['before_mb']} MB before, {result['peak_mb']} MB at its peak "
        f"(limit {args.limit_mb} MB); {result['saved']} saved."
    )
    for error in result["errors"]:
        print(f"upload failed: {error}")
    if result["errors"] or result["peak_mb"] > args.limit_mb:
        sys.exit(1)


def png_mb(made):
    # Pillow keeps an RGB pixel in 4 bytes.
    return round(made["width"] * made["height"] * 4 / 1024 / 1024)


def run(arguments, environment=None):
    return (
        subprocess.run(
            [sys.executable, __file__, *arguments],
            cwd=ROOT,
            env=environment,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


if __name__ == "__main__":
    main()
