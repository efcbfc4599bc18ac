/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

/* Runs the real entrypoint script, as stored in the GResource that the
 * image builder copies into the base image, with /bin/sh on a temporary HOME.
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "exitbox-containerfile.h"
#include "exitbox-test-utils.h"

#define BEGIN_MARKER "<!-- BEGIN EXITBOX SANDBOX -->"
#define END_MARKER "<!-- END EXITBOX SANDBOX -->"

typedef struct
{
  char *folder;
  char *home;
  char *script;
  char *bin;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) script = NULL;

  fixture->folder = exitbox_test_make_tmpdir ("exitbox-entrypoint-XXXXXX");

  fixture->home = g_build_filename (fixture->folder, "home", NULL);
  fixture->bin = g_build_filename (fixture->folder, "bin", NULL);
  fixture->script = g_build_filename (fixture->folder, "exitbox-entrypoint", NULL);
  g_assert_cmpint (g_mkdir (fixture->home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->bin, 0700), ==, 0);

  script = exitbox_containerfile_get_entrypoint (&error);
  g_assert_no_error (error);
  g_file_set_contents (fixture->script, g_bytes_get_data (script, NULL),
                       g_bytes_get_size (script), &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->folder);
  g_free (fixture->folder);
  g_free (fixture->home);
  g_free (fixture->bin);
  g_free (fixture->script);
}

/* Runs the entrypoint with the given agent (NULL: unset) and arguments, and
 * returns its exit status. Standard output goes to @out_stdout.
 */
static int
run_entrypoint (Fixture            *fixture,
                const char         *agent,
                const char * const *arguments,
                char              **out_stdout)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", fixture->home, TRUE);
  path = g_strconcat (fixture->bin, ":/usr/bin:/bin", NULL);
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  if (agent != NULL)
    g_subprocess_launcher_setenv (launcher, "EXITBOX_AGENT", agent, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "EXITBOX_AGENT");

  g_ptr_array_add (argv, (char *) "/bin/sh");
  g_ptr_array_add (argv, fixture->script);
  for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("entrypoint stderr: %s", stderr_text);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&stdout_text);

  return g_subprocess_get_exit_status (process);
}

static int
run_entrypoint_true (Fixture    *fixture,
                     const char *agent)
{
  const char *arguments[] = { "true", NULL };

  return run_entrypoint (fixture, agent, arguments, NULL);
}

static guint
count_occurrences (const char *text,
                   const char *needle)
{
  guint count = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    count++;

  return count;
}

/* The text before the block, which must be the user's own text. */
static char *
dup_text_before_block (const char *contents)
{
  const char *begin = strstr (contents, BEGIN_MARKER "\n");

  g_assert_nonnull (begin);
  return g_strndup (contents, begin - contents);
}

static void
assert_block_at_end (const char *contents)
{
  g_assert_cmpuint (count_occurrences (contents, BEGIN_MARKER), ==, 1);
  g_assert_cmpuint (count_occurrences (contents, END_MARKER), ==, 1);
  g_assert_true (g_str_has_suffix (contents, "\n" END_MARKER "\n"));
}

static void
test_entrypoint_first_run (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->home, ".claude", "CLAUDE.md", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (run_entrypoint_true (fixture, "claude"), ==, 0);

  contents = exitbox_test_read_file (path);
  g_assert_true (g_str_has_prefix (contents, BEGIN_MARKER "\n"));
  assert_block_at_end (contents);

  g_assert_nonnull (strstr (contents, "ExitBox sandbox"));
  g_assert_nonnull (strstr (contents, "/workspace"));
  g_assert_nonnull (strstr (contents, "403"));
  g_assert_nonnull (strstr (contents, "exitbox-allow DOMAIN"));
  g_assert_nonnull (strstr (contents, "allowlist"));
  g_assert_nonnull (strstr (contents, "no-new-privileges"));
  g_assert_nonnull (strstr (contents, "sudo"));
  g_assert_nonnull (strstr (contents, "podman"));
  g_assert_nonnull (strstr (contents, "system packages"));
  g_assert_nonnull (strstr (contents, "profiles"));
}

static void
test_entrypoint_second_run (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->home, ".claude", "CLAUDE.md", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  exitbox_test_write_file (path, "# My rules\n\nAlways write tests.\n");

  g_assert_cmpint (run_entrypoint_true (fixture, "claude"), ==, 0);
  first = exitbox_test_read_file (path);
  g_assert_cmpint (run_entrypoint_true (fixture, "claude"), ==, 0);
  second = exitbox_test_read_file (path);

  assert_block_at_end (second);
  g_assert_cmpstr (second, ==, first);
  g_assert_true (g_str_has_prefix (second, "# My rules\n\nAlways write tests.\n" BEGIN_MARKER "\n"));
}

static void
test_entrypoint_block_in_middle (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->home, ".claude", "CLAUDE.md", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *user_text = NULL;

  exitbox_test_write_file (path,
                           "Before the block.\n"
                           "  indented line with trailing spaces  \n"
                           BEGIN_MARKER "\n"
                           "An old notice from an earlier ExitBox.\n"
                           END_MARKER "\n"
                           "After the block.\n"
                           "\n"
                           "Last line without a newline");

  g_assert_cmpint (run_entrypoint_true (fixture, "claude"), ==, 0);
  contents = exitbox_test_read_file (path);

  assert_block_at_end (contents);
  g_assert_null (strstr (contents, "An old notice"));

  user_text = dup_text_before_block (contents);
  g_assert_cmpstr (user_text, ==,
                   "Before the block.\n"
                   "  indented line with trailing spaces  \n"
                   "After the block.\n"
                   "\n"
                   "Last line without a newline\n");
}

static void
test_entrypoint_unterminated_block (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->home, ".claude", "CLAUDE.md", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *user_text = NULL;

  /* A BEGIN without an END: only the marker line may go. */
  exitbox_test_write_file (path, "one\n" BEGIN_MARKER "\ntwo\nthree\n");

  g_assert_cmpint (run_entrypoint_true (fixture, "claude"), ==, 0);
  contents = exitbox_test_read_file (path);

  assert_block_at_end (contents);
  user_text = dup_text_before_block (contents);
  g_assert_cmpstr (user_text, ==, "one\ntwo\nthree\n");
}

static void
test_entrypoint_agent_files (Fixture       *fixture,
                             gconstpointer  user_data)
{
  struct
  {
    const char *agent;
    const char *relative_path;
  } cases[] = {
    { "claude", ".claude/CLAUDE.md" },
    { "codex", ".codex/AGENTS.md" },
    { "opencode", ".config/opencode/AGENTS.md" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (fixture->home, cases[i].relative_path, NULL);
      g_autofree char *contents = NULL;

      g_test_message ("agent %s", cases[i].agent);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpint (run_entrypoint_true (fixture, cases[i].agent), ==, 0);

      contents = exitbox_test_read_file (path);
      assert_block_at_end (contents);
    }
}

static void
test_entrypoint_runs_arguments (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *arguments[] = { "printf", "%s|%s", "a b", "c:d,e", NULL };
  g_autofree char *output = NULL;

  g_assert_cmpint (run_entrypoint (fixture, "claude", arguments, &output), ==, 0);
  g_assert_cmpstr (output, ==, "a b|c:d,e");
}

static void
test_entrypoint_runs_agent (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *fake_agent = g_build_filename (fixture->bin, "codex", NULL);
  g_autofree char *output = NULL;

  exitbox_test_write_file (fake_agent, "#!/bin/sh\necho \"codex started with $# arguments\"\n");
  g_assert_cmpint (g_chmod (fake_agent, 0755), ==, 0);

  g_assert_cmpint (run_entrypoint (fixture, "codex", NULL, &output), ==, 0);
  g_assert_cmpstr (output, ==, "codex started with 0 arguments\n");
}

static void
test_entrypoint_without_agent (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *arguments[] = { "echo", "plain shell", NULL };
  g_autofree char *claude_folder = g_build_filename (fixture->home, ".claude", NULL);
  g_autofree char *output = NULL;

  g_assert_cmpint (run_entrypoint (fixture, NULL, arguments, &output), ==, 0);
  g_assert_cmpstr (output, ==, "plain shell\n");
  g_assert_false (g_file_test (claude_folder, G_FILE_TEST_EXISTS));
}

static void
test_entrypoint_unknown_agent (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_assert_cmpint (run_entrypoint_true (fixture, "gemini"), ==, 64);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD_TEST ("/entrypoint/first-run", test_entrypoint_first_run);
  ADD_TEST ("/entrypoint/second-run", test_entrypoint_second_run);
  ADD_TEST ("/entrypoint/block-in-middle", test_entrypoint_block_in_middle);
  ADD_TEST ("/entrypoint/unterminated-block", test_entrypoint_unterminated_block);
  ADD_TEST ("/entrypoint/agent-files", test_entrypoint_agent_files);
  ADD_TEST ("/entrypoint/runs-arguments", test_entrypoint_runs_arguments);
  ADD_TEST ("/entrypoint/runs-agent", test_entrypoint_runs_agent);
  ADD_TEST ("/entrypoint/without-agent", test_entrypoint_without_agent);
  ADD_TEST ("/entrypoint/unknown-agent", test_entrypoint_unknown_agent);

#undef ADD_TEST

  return g_test_run ();
}
