/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Listing and removing ExitBox's images against fake-build-engine.py, with
 * an image store written by the test: a base with two agent cores and a
 * project layer, a dangling core left by a rebuild, and a distribution
 * image without ExitBox labels that must survive every removal.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "exitbox-image-store.h"
#include "exitbox-test-utils.h"

#define STORE_JSON \
  "[\n" \
  " {\"Id\": \"aa01\", \"RepoTags\": [\"docker.io/library/debian:bookworm-slim\"], \"Labels\": {}},\n" \
  " {\"Id\": \"bb02\", \"RepoTags\": [\"localhost/exitbox-base:latest\"],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.uid\": \"1000\"}},\n" \
  " {\"Id\": \"cc03\", \"RepoTags\": [\"localhost/exitbox-claude-core:latest\"],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.agent\": \"claude\",\n" \
  "              \"exitbox.agent.version\": \"2.0.1\", \"exitbox.parent\": \"bb02\"}},\n" \
  " {\"Id\": \"dd04\", \"RepoTags\": [\"localhost/exitbox-claude-app_1a2b:latest\"],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.agent\": \"claude\",\n" \
  "              \"exitbox.project\": \"app_1a2b\", \"exitbox.parent\": \"cc03\"}},\n" \
  " {\"Id\": \"ee05\", \"RepoTags\": [],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.agent\": \"claude\",\n" \
  "              \"exitbox.agent.version\": \"2.0.0\", \"exitbox.parent\": \"bb02\"}},\n" \
  " {\"Id\": \"ff06\", \"RepoTags\": [\"localhost/exitbox-proxy:latest\"],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.base.family\": \"debian\"}},\n" \
  " {\"Id\": \"ab07\", \"RepoTags\": [\"localhost/exitbox-codex-core:latest\"],\n" \
  "  \"Labels\": {\"exitbox.version\": \"1\", \"exitbox.agent\": \"codex\",\n" \
  "              \"exitbox.agent.version\": \"0.9\", \"exitbox.parent\": \"bb02\"}}\n" \
  "]\n"

typedef struct
{
  char          *folder;
  char          *store;
  ExitboxEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *engine_script = NULL;
  g_autofree char *engine_path = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *images = NULL;
  g_autofree char *contexts = NULL;

  fixture->folder = exitbox_test_make_tmpdir ("exitbox-image-store-XXXXXX");
  fixture->store = g_build_filename (fixture->folder, "store", NULL);
  contexts = g_build_filename (fixture->store, "contexts", NULL);
  g_assert_cmpint (g_mkdir_with_parents (contexts, 0700), ==, 0);
  g_setenv ("FAKE_ENGINE_DIR", fixture->store, TRUE);

  images = g_build_filename (fixture->store, "images.json", NULL);
  exitbox_test_write_file (images, STORE_JSON);

  engine_script = g_test_build_filename (G_TEST_DIST, "fake-build-engine.py", NULL);
  engine_path = g_build_filename (fixture->folder, "podman", NULL);
  wrapper = g_strdup_printf ("#!/bin/sh\nexec python3 '%s' \"$@\"\n", engine_script);
  exitbox_test_write_file (engine_path, wrapper);
  g_assert_cmpint (g_chmod (engine_path, 0755), ==, 0);

  fixture->engine = exitbox_engine_new (EXITBOX_ENGINE_KIND_PODMAN, engine_path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->folder);
  g_clear_object (&fixture->engine);
  g_free (fixture->folder);
  g_free (fixture->store);
}

static ExitboxImageRecord *
find_record (GPtrArray  *records,
             const char *id)
{
  for (guint i = 0; i < records->len; i++)
    {
      ExitboxImageRecord *record = g_ptr_array_index (records, i);

      if (g_str_equal (record->id, id))
        return record;
    }

  return NULL;
}

static GPtrArray *
list_images (Fixture  *fixture,
             gboolean  dangling_only)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records;

  records = exitbox_image_store_list (fixture->engine, dangling_only, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);

  return records;
}

static void
test_image_store_list (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GPtrArray) records = list_images (fixture, FALSE);
  ExitboxImageRecord *record;

  g_assert_cmpuint (records->len, ==, 6);
  g_assert_null (find_record (records, "aa01"));

  record = find_record (records, "bb02");
  g_assert_nonnull (record);
  g_assert_cmpint (record->layer, ==, EXITBOX_IMAGE_LAYER_BASE);
  g_assert_cmpstr (record->name, ==, "exitbox-base:latest");

  record = find_record (records, "cc03");
  g_assert_nonnull (record);
  g_assert_cmpint (record->layer, ==, EXITBOX_IMAGE_LAYER_CORE);
  g_assert_cmpstr (record->agent, ==, "claude");
  g_assert_cmpstr (record->agent_version, ==, "2.0.1");

  record = find_record (records, "dd04");
  g_assert_nonnull (record);
  g_assert_cmpint (record->layer, ==, EXITBOX_IMAGE_LAYER_PROJECT);
  g_assert_cmpstr (record->project, ==, "app_1a2b");

  record = find_record (records, "ee05");
  g_assert_nonnull (record);
  g_assert_null (record->name);

  record = find_record (records, "ff06");
  g_assert_nonnull (record);
  g_assert_cmpint (record->layer, ==, EXITBOX_IMAGE_LAYER_PROXY);
}

static void
test_image_store_list_dangling (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GPtrArray) records = list_images (fixture, TRUE);

  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (((ExitboxImageRecord *) g_ptr_array_index (records, 0))->id, ==, "ee05");
}

/* Removing everything must go from the project layer down, or the engine
 * rejects removing a parent. The distribution image stays.
 */
static void
test_image_store_remove_all (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GPtrArray) records = list_images (fixture, FALSE);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *images_path = g_build_filename (fixture->store, "images.json", NULL);
  g_autofree char *store = NULL;
  guint removed = 0;

  g_assert_true (exitbox_image_store_remove (fixture->engine, records, &removed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 6);

  after = list_images (fixture, FALSE);
  g_assert_cmpuint (after->len, ==, 0);
  store = exitbox_test_read_file (images_path);
  exitbox_test_assert_contains (store, "\"aa01\"");
}

/* A failed removal is reported with the image's name and the others are
 * still removed.
 */
static void
test_image_store_remove_partial (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GPtrArray) records = list_images (fixture, FALSE);
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  guint removed = 0;

  /* The base without its children cannot go. */
  g_ptr_array_add (selected, find_record (records, "bb02"));
  g_ptr_array_add (selected, find_record (records, "ee05"));

  g_assert_false (exitbox_image_store_remove (fixture->engine, selected, &removed, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  exitbox_test_assert_contains (error->message, "exitbox-base:latest (bb02)");
  exitbox_test_assert_contains (error->message, "dependent children");
  g_assert_cmpuint (removed, ==, 1);

  after = list_images (fixture, FALSE);
  g_assert_cmpuint (after->len, ==, 5);
  g_assert_null (find_record (after, "ee05"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD_TEST ("/image-store/list", test_image_store_list);
  ADD_TEST ("/image-store/list-dangling", test_image_store_list_dangling);
  ADD_TEST ("/image-store/remove-all", test_image_store_remove_all);
  ADD_TEST ("/image-store/remove-partial", test_image_store_remove_partial);

#undef ADD_TEST

  return g_test_run ();
}
