#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the benign test pictures of the live demo and the inline tests:
generated scenes (gradients, discs, bars; nothing else), deterministic for a
seed, as JPEG and PNG, and one picture twice: as the original and re-encoded
(smaller, lower JPEG quality, so its bytes and hashes differ while its PDQ
stays within a few bits).

Usage: make_images.py DIR   (needs python3-pil)
Writes DIR/<name> for each picture and prints one line per file:
  NAME KIND   (KIND: jpeg, png, or reencoded:ORIGINAL)
"""
import os
import random
import sys

from PIL import Image, ImageDraw

SIZE = (480, 360)


def scene(seed):
    rng = random.Random(seed)
    img = Image.new("RGB", SIZE)
    d = ImageDraw.Draw(img)
    c0 = [rng.randrange(256) for _ in range(3)]
    c1 = [rng.randrange(256) for _ in range(3)]
    for y in range(SIZE[1]):
        t = y / (SIZE[1] - 1)
        d.line([(0, y), (SIZE[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(c0, c1)))
    for _ in range(12):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(15, 90)
        d.ellipse([x - r, y - r, x + r, y + r],
                  fill=tuple(rng.randrange(256) for _ in range(3)))
    for _ in range(6):
        x, w = rng.randrange(SIZE[0]), rng.randrange(5, 40)
        d.rectangle([x, 0, x + w, SIZE[1]], fill=tuple(rng.randrange(256) for _ in range(3)))
    return img


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    pictures = [("harbour.jpg", 1), ("meadow.jpg", 2), ("city.png", 3), ("forest.jpg", 4),
                ("desert.png", 5), ("bridge.jpg", 6)]
    for name, seed in pictures:
        img = scene(seed)
        if name.endswith(".png"):
            img.save(os.path.join(out, name), "PNG")
            print(name, "png")
        else:
            img.save(os.path.join(out, name), "JPEG", quality=90)
            print(name, "jpeg")
    # bridge.jpg again, smaller and at a lower quality: other bytes, same picture
    scene(6).resize((400, 300)).save(os.path.join(out, "bridge-copy.jpg"), "JPEG",
                                     quality=60)
    print("bridge-copy.jpg reencoded:bridge.jpg")


if __name__ == "__main__":
    main()
