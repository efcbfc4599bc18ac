#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
# SPDX-FileCopyrightText: The ExitBox authors
#
# A stand-in for podman that test-image-builder runs in place of the real
# engine. It keeps an image store as JSON in $FAKE_ENGINE_DIR and handles
# the calls the image builder makes:
#
#   inspect -- NAME...          podman's JSON array; missing names on stderr, exit 125
#   network inspect -- NAME...  no networks exist
#   build [--no-cache] --iidfile F -t TAG -f CONTAINERFILE CONTEXT
#   images --quiet --no-trunc [--filter label=KEY[=VALUE]] [--filter dangling=true]
#   rmi ID                      fails while an image's exitbox.parent names ID
#
# A build reads FROM, COPY and LABEL from the Containerfile, inherits the
# labels of an exitbox-* parent image (which must exist), and derives the
# image ID from the Containerfile, the context files and the parent ID, so
# an unchanged build returns the same ID as podman's layer cache would.
# It prints 25 numbered output lines, and exits 1 when the file
# $FAKE_ENGINE_DIR/fail-TAG exists, printing that file's text, if any, as
# its last output. Every call is appended to calls.jsonl
# and every build context is copied to contexts/N-TAG/. Calls hold a lock
# on $FAKE_ENGINE_DIR/lock, so concurrent builds run one after the other.

import fcntl
import hashlib
import json
import os
import shutil
import sys

STORE = os.environ["FAKE_ENGINE_DIR"]
IMAGES_PATH = os.path.join(STORE, "images.json")


def load_images():
    if not os.path.exists(IMAGES_PATH):
        return []
    with open(IMAGES_PATH) as f:
        return json.load(f)


def save_images(images):
    tmp = IMAGES_PATH + ".tmp"
    with open(tmp, "w") as f:
        json.dump(images, f, indent=1)
    os.replace(tmp, IMAGES_PATH)


def normalize(name):
    if name.startswith("localhost/"):
        name = name[len("localhost/"):]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return "localhost/" + name


def find_image(images, name):
    requested = normalize(name)
    for image in images:
        if requested in image["RepoTags"] or image["Id"] == name:
            return image
    return None


def inspect(names):
    images = load_images()
    found = []
    status = 0
    for name in names:
        image = find_image(images, name)
        if image is None:
            print('Error: inspecting object: no such object: "%s"' % name, file=sys.stderr)
            status = 125
        else:
            found.append(image)
    print(json.dumps(found, indent=4))
    return status


def network_inspect(names):
    for name in names:
        print("Error: inspecting object: network %s: unable to find network with name "
              "or ID %s: network not found" % (name, name), file=sys.stderr)
    print("[]")
    return 125


def read_instructions(path):
    """Returns (keyword, text) pairs with continuation lines joined."""
    instructions = []
    current = ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                current += line[:-1] + " "
                continue
            current += line
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
            current = ""
    return instructions


def parse_labels(text):
    """Parses key="value" pairs with backslash escapes inside the quotes."""
    labels = {}
    i = 0
    while i < len(text):
        while i < len(text) and text[i] == " ":
            i += 1
        if i >= len(text):
            break
        equals = text.index("=", i)
        key = text[i:equals]
        i = equals + 1
        if text[i] != '"':
            raise ValueError("unquoted label value for " + key)
        i += 1
        value = ""
        while text[i] != '"':
            if text[i] == "\\":
                i += 1
            value += text[i]
            i += 1
        labels[key] = value
        i += 1
    return labels


def build(args):
    iidfile = args[args.index("--iidfile") + 1]
    tag = args[args.index("-t") + 1]
    containerfile = args[args.index("-f") + 1]
    context = args[-1]

    counter = len(os.listdir(os.path.join(STORE, "contexts")))
    shutil.copytree(context, os.path.join(STORE, "contexts", "%d-%s" % (counter, tag)))

    images = load_images()
    instructions = read_instructions(containerfile)
    digest = hashlib.sha256()
    labels = {}
    parent = None

    for number, (keyword, text) in enumerate(instructions, 1):
        print("STEP %d/%d: %s %s" % (number, len(instructions), keyword, text))
        if keyword == "FROM":
            if text.startswith("exitbox-"):
                parent = find_image(images, text)
                if parent is None:
                    print("Error: %s: image not known" % text)
                    return 125
                labels.update(parent["Labels"])
                digest.update(parent["Id"].encode())
            else:
                digest.update(text.encode())
        elif keyword == "COPY":
            source = text.split()[0]
            path = os.path.join(context, source)
            if not os.path.isfile(path):
                print("Error: COPY %s: no such file in the context" % source)
                return 125
            with open(path, "rb") as f:
                digest.update(f.read())
        elif keyword == "LABEL":
            labels.update(parse_labels(text))

    with open(containerfile, "rb") as f:
        digest.update(f.read())

    for line in range(1, 26):
        print("fake build output line %d" % line)
    sys.stdout.flush()

    fail_marker = os.path.join(STORE, "fail-" + tag)
    if os.path.exists(fail_marker):
        with open(fail_marker) as marker:
            print(marker.read().strip())
        print("Error: building at STEP \"RUN true\": exit status 1")
        return 1

    image_id = digest.hexdigest()
    full_tag = normalize(tag)
    for image in images:
        if full_tag in image["RepoTags"]:
            image["RepoTags"].remove(full_tag)
    existing = find_image(images, image_id)
    if existing is None:
        existing = {"Id": image_id, "RepoTags": [], "Labels": labels,
                    "Config": {"Labels": labels}}
        images.append(existing)
    existing["RepoTags"].append(full_tag)
    save_images(images)

    with open(iidfile, "w") as f:
        f.write("sha256:" + image_id)
    print(image_id)
    return 0


def list_images(args):
    images = load_images()
    filters = [args[i + 1] for i, arg in enumerate(args) if arg == "--filter"]
    for image in images:
        keep = True
        for flt in filters:
            kind, _, value = flt.partition("=")
            if kind == "dangling":
                keep = keep and (len(image["RepoTags"]) == 0) == (value == "true")
            elif kind == "label":
                key, has_value, expected = value.partition("=")
                labels = image["Labels"]
                keep = keep and key in labels and (not has_value or labels[key] == expected)
            else:
                print("fake engine: unsupported filter %r" % flt, file=sys.stderr)
                return 125
        if keep:
            print("sha256:" + image["Id"])
    return 0


def remove_image(image_id):
    images = load_images()
    image = find_image(images, image_id)
    if image is None:
        print("Error: %s: image not known" % image_id, file=sys.stderr)
        return 1
    for other in images:
        if other["Labels"].get("exitbox.parent") == image["Id"]:
            print("Error: image used by %s: image has dependent children" % other["Id"],
                  file=sys.stderr)
            return 2
    images.remove(image)
    save_images(images)
    print("Deleted: " + image["Id"])
    return 0


def main():
    args = sys.argv[1:]

    # Concurrent calls take turns, so the store and the counter stay whole.
    lock = open(os.path.join(STORE, "lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)

    with open(os.path.join(STORE, "calls.jsonl"), "a") as f:
        f.write(json.dumps(args) + "\n")

    if args[:2] == ["inspect", "--"]:
        return inspect(args[2:])
    if args[:3] == ["network", "inspect", "--"]:
        return network_inspect(args[3:])
    if args[:1] == ["build"]:
        return build(args)
    if args[:1] == ["images"]:
        return list_images(args[1:])
    if args[:1] == ["rmi"] and len(args) == 2:
        return remove_image(args[1])

    print("fake engine: unsupported call %r" % args, file=sys.stderr)
    return 125


sys.exit(main())
