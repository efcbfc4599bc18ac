/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Helpers shared by the unit tests. Each one fails the running test on an
 * unexpected error, so callers need no error handling of their own.
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Returns the contents of @path. */
char         *exitbox_test_read_file              (const char          *path);
/* Writes @contents to @path, creating its parent folders with mode 0700. */
void          exitbox_test_write_file             (const char          *path,
                                                   const char          *contents);
/* Creates a new folder in the temporary folder from @name_template, which ends in XXXXXX. */
char         *exitbox_test_make_tmpdir            (const char          *name_template);
/* Deletes @path and everything below it, deleting symbolic links rather than their targets. */
void          exitbox_test_remove_tree            (const char          *path);
/* Counts the entries of the folder @path, or returns 0 when it does not exist. */
guint         exitbox_test_count_folder_entries   (const char          *path);

/* Fails the test, printing @text, unless @text contains @needle. */
void          exitbox_test_assert_contains        (const char          *text,
                                                   const char          *needle);
/* Fails the test, printing @text, when @text contains @needle. */
void          exitbox_test_assert_not_contains    (const char          *text,
                                                   const char          *needle);

/* Returns the contents of the captured engine output tests/data/engine/@name. */
char         *exitbox_test_load_engine_fixture    (const char          *name);
/* Creates the folder @dir with a link to tests/data/engine/fake-engine under each of @names. */
void          exitbox_test_make_fake_engine_dir   (const char          *dir,
                                                   const char * const  *names);

/* The fake engine on PATH, which appends each argv it receives to log_path. */
typedef struct
{
  char *bin_dir;
  char *log_path;
  char *saved_path;
} ExitboxTestFakeEngine;

/* Links the fake engine into @folder/bin as @names, puts it on PATH and selects podman. */
void          exitbox_test_fake_engine_set_up     (ExitboxTestFakeEngine *fake,
                                                   const char            *folder,
                                                   const char * const    *names);
/* Restores PATH, clears the variables that set_up() set and frees the paths in @fake. */
void          exitbox_test_fake_engine_tear_down  (ExitboxTestFakeEngine *fake);

/* Stores a reference to @result in the GAsyncResult pointer that @user_data points to. */
void          exitbox_test_store_result           (GObject             *source,
                                                   GAsyncResult        *result,
                                                   gpointer             user_data);
/* Runs the default main context until *@slot is set and returns it. Fails after 60 seconds. */
GAsyncResult *exitbox_test_wait_for_result        (GAsyncResult       **slot);

/* Starts a SoupServer on 127.0.0.1 and sets @out_root_url to its URL, ending in a slash. */
SoupServer   *exitbox_test_start_loopback_server  (SoupServerCallback   callback,
                                                   gpointer             user_data,
                                                   char               **out_root_url);
/* Skips the test and returns TRUE when @platform, from exitbox_claude_platform(), is NULL. */
gboolean      exitbox_test_skip_without_platform  (const char          *platform);

G_END_DECLS
