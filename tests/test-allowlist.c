/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>
#include <utime.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

/* A temporary XDG_CONFIG_HOME for one test, removed again at the end. */
typedef struct
{
  char *xdg_config_home;
  char *config_dir;
  char *allowlist_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->xdg_config_home = exitbox_test_make_tmpdir ("exitbox-test-allowlist-XXXXXX");
  g_setenv ("XDG_CONFIG_HOME", fixture->xdg_config_home, TRUE);

  fixture->config_dir = exitbox_dup_config_dir ();
  fixture->allowlist_path = g_build_filename (fixture->config_dir, "allowlist.yaml", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->config_dir, 0700), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  exitbox_test_remove_tree (fixture->xdg_config_home);
  g_unsetenv ("XDG_CONFIG_HOME");

  g_free (fixture->xdg_config_home);
  g_free (fixture->config_dir);
  g_free (fixture->allowlist_path);
}

static ExitboxAllowlist *
load_from_file (Fixture    *fixture,
                const char *contents)
{
  exitbox_test_write_file (fixture->allowlist_path, contents);

  return exitbox_allowlist_load_file (fixture->allowlist_path);
}

/* The enforced entries as canonical text, joined with spaces. */
static char *
join_entries (ExitboxAllowlist *allowlist)
{
  GPtrArray *entries = exitbox_allowlist_get_entries (allowlist);
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *text = exitbox_allowlist_entry_to_string (g_ptr_array_index (entries, i));

      if (i > 0)
        g_string_append_c (joined, ' ');
      g_string_append (joined, text);
    }

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static guint
strv_length (const char * const *strv)
{
  return g_strv_length ((char **) strv);
}

static void
assert_blocks_everything (ExitboxAllowlist *allowlist)
{
  g_assert_cmpuint (exitbox_allowlist_get_n_entries (allowlist), ==, 0);
  g_assert_cmpuint (exitbox_allowlist_get_entries (allowlist)->len, ==, 0);
  g_assert_nonnull (exitbox_allowlist_get_problem (allowlist));
}

static void
test_allowlist_missing (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  const char *problem;

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_MISSING);
  assert_blocks_everything (allowlist);

  problem = exitbox_allowlist_get_problem (allowlist);
  g_assert_nonnull (strstr (problem, fixture->allowlist_path));
  g_assert_nonnull (strstr (problem, "missing"));
  g_assert_nonnull (strstr (problem, "every destination is blocked"));
  g_assert_nonnull (strstr (problem, "Create it"));
  g_assert_cmpuint (strv_length (exitbox_allowlist_get_categories (allowlist)), ==, 0);

  /* Loading never creates the file. */
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));
}

static void
test_allowlist_empty (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const char *cases[] = {
    "",
    "# nothing yet\n",
    "version: 1\n",
    "version: 1\ncustom: []\nai_providers:\n",
    "custom:\n  - localhost\n  - bad_name.example.com\n",
    "custom: [example.com]\ndisabled: [example.com]\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture, cases[i]);
      const char *problem;

      g_test_message ("case: %s", cases[i]);
      g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==,
                       EXITBOX_ALLOWLIST_STATUS_EMPTY);
      assert_blocks_everything (allowlist);

      problem = exitbox_allowlist_get_problem (allowlist);
      g_assert_nonnull (strstr (problem, fixture->allowlist_path));
      g_assert_nonnull (strstr (problem, "every destination is blocked"));
    }
}

static void
test_allowlist_invalid (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const struct
  {
    const char *contents;
    const char *location;  /* LINE:COLUMN after the path */
    const char *problem;   /* a part of the message */
  } cases[] = {
    { "custom:\n  - example.com\n bad: [\n", ":3:2:", "" },
    { "custom: [example.com\n", ":2:1:", "" },
    { "custom: example.com\n", ":1:9:", "must be a list" },
    { "custom:\n  example.com: yes\n", ":2:3:", "must be a list" },
    { "custom:\n  - example.com\n  - [a.com, b.com]\n", ":3:5:", "text value" },
    { "custom:\n  - {host: example.com}\n", ":2:5:", "text value" },
    { "disabled: example.com\ncustom: [a.example.com]\n", ":1:11:", "must be a list" },
    { "- example.com\n", ":1:1:", "mapping of category names" },
    { "example.com\n", ":1:1:", "mapping of category names" },
    { "custom: [a.com]\ncustom: [b.com]\n", ":2:1:", "duplicate key" },
    { "? [a, b]\n: [example.com]\n", ":1:3:", "category name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture, cases[i].contents);
      g_autofree char *prefix = g_strconcat (fixture->allowlist_path, cases[i].location, NULL);
      const char *problem;

      g_test_message ("case: %s", cases[i].contents);
      g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==,
                       EXITBOX_ALLOWLIST_STATUS_INVALID);
      assert_blocks_everything (allowlist);
      g_assert_cmpuint (strv_length (exitbox_allowlist_get_categories (allowlist)), ==, 0);
      g_assert_cmpuint (strv_length (exitbox_allowlist_get_warnings (allowlist)), ==, 0);

      problem = exitbox_allowlist_get_problem (allowlist);
      g_test_message ("problem: %s", problem);
      g_assert_true (g_str_has_prefix (problem, prefix));
      g_assert_nonnull (strstr (problem, cases[i].problem));
      g_assert_nonnull (strstr (problem, "Every destination is blocked"));
    }
}

static void
test_allowlist_unreadable (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(ExitboxAllowlist) allowlist = NULL;

  /* A folder in place of the file cannot be read, even by root. */
  g_assert_cmpint (g_mkdir (fixture->allowlist_path, 0700), ==, 0);

  allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_INVALID);
  assert_blocks_everything (allowlist);
  g_assert_nonnull (strstr (exitbox_allowlist_get_problem (allowlist), fixture->allowlist_path));

  g_rmdir (fixture->allowlist_path);
}

static void
test_allowlist_ok (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *contents =
    "version: 1\n"
    "ai_providers:\n"
    "  - anthropic.com\n"
    "  - '*.openai.com'\n"
    "development: [GitHub.com, github.com., .github.com, 'https://github.com/org/repo']\n"
    "my-team:\n"
    "  - registry.example.com:8443\n"
    "  - 192.0.2.10\n"
    "  - '[2001:DB8::1]:443'\n"
    "  - anthropic.com\n"
    "empty_category:\n";
  g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture, contents);
  g_autofree char *joined = NULL;
  const char *expected_categories[] = {
    "ai_providers", "development", "my-team", "empty_category", NULL
  };

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  g_assert_null (exitbox_allowlist_get_problem (allowlist));
  g_assert_cmpstrv (exitbox_allowlist_get_categories (allowlist), expected_categories);
  g_assert_cmpuint (strv_length (exitbox_allowlist_get_warnings (allowlist)), ==, 0);

  joined = join_entries (allowlist);
  g_assert_cmpstr (joined, ==,
                   "anthropic.com openai.com github.com registry.example.com:8443 "
                   "192.0.2.10 [2001:db8::1]:443");
  g_assert_cmpuint (exitbox_allowlist_get_n_entries (allowlist), ==, 6);
}

static void
test_allowlist_disabled (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char *contents =
    "disabled:\n"
    "  - GITHUB.COM\n"
    "  - example.org:8443\n"
    "development:\n"
    "  - github.com\n"
    "  - gitlab.com\n"
    "  - example.org:8443\n"
    "  - example.org\n"
    "custom: [sentry.io]\n"
    "extra_disabled_below: [statsig.com]\n"
    "disabled_too: []\n";
  const char *contents_disabled_last =
    "development: [github.com, gitlab.com]\n"
    "disabled: [gitlab.com]\n";
  g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture, contents);
  g_autoptr(ExitboxAllowlist) disabled_last = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *joined_last = NULL;
  const char *expected_categories[] = {
    "development", "custom", "extra_disabled_below", "disabled_too", NULL
  };

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  joined = join_entries (allowlist);
  g_assert_cmpstr (joined, ==, "gitlab.com example.org sentry.io statsig.com");
  g_assert_cmpstrv (exitbox_allowlist_get_categories (allowlist), expected_categories);

  disabled_last = load_from_file (fixture, contents_disabled_last);
  joined_last = join_entries (disabled_last);
  g_assert_cmpstr (joined_last, ==, "github.com");
}

static void
test_allowlist_invalid_entries (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *contents =
    "version: 1\n"
    "custom:\n"
    "  - example.com\n"
    "  - localhost\n"
    "  - bad_name.example.com\n"
    "  - 999.1.1.1\n"
    "  - example.net:99999\n"
    "  - example.org\n"
    "disabled:\n"
    "  - not valid!\n";
  g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture, contents);
  const char * const *warnings;
  g_autofree char *joined = NULL;
  const struct
  {
    const char *location;
    const char *entry;
    const char *reason;
  } expected[] = {
    { ":4:5: ", "“localhost”", "single-label" },
    { ":5:5: ", "“bad_name.example.com”", "“_”" },
    { ":6:5: ", "“999.1.1.1”", "not a valid IPv4 address" },
    { ":7:5: ", "“example.net:99999”", "out of range" },
    { ":10:5: ", "“not valid!”", "white space" },
  };

  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  joined = join_entries (allowlist);
  g_assert_cmpstr (joined, ==, "example.com example.org");

  warnings = exitbox_allowlist_get_warnings (allowlist);
  g_assert_cmpuint (strv_length (warnings), ==, G_N_ELEMENTS (expected));

  /* The disabled list is read first, so its warning comes first. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *prefix = g_strconcat (fixture->allowlist_path, expected[i].location, NULL);
      const char *warning = warnings[(i + 1) % G_N_ELEMENTS (expected)];

      g_test_message ("warning: %s", warning);
      g_assert_true (g_str_has_prefix (warning, prefix));
      g_assert_nonnull (strstr (warning, expected[i].entry));
      g_assert_nonnull (strstr (warning, expected[i].reason));
    }
}

/* The first-run allowlist is valid, keeps the documented categories and
 * lists no loopback destination.
 */
static void
test_allowlist_default_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) resource = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *padded = NULL;
  GPtrArray *entries;
  const char *categories[] = { "ai_providers", "development", "cloud_services", "custom", NULL };
  const char *required[] = {
    "anthropic.com", "claude.ai", "claude.com", "openai.com", "chatgpt.com", "opencode.ai",
    "models.dev", "github.com", "githubusercontent.com", "gitlab.com", "npmjs.org", "npmjs.com",
    "pypi.org", "pythonhosted.org", "crates.io", "golang.org", "googleapis.com",
    "amazonaws.com", "azure.com",
  };
  gsize size;
  const char *data;

  resource = g_resources_lookup_data ("/io/github/exitbox/ExitBox/core/allowlist.yaml",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (resource, &size);

  g_assert_null (strstr (data, "localhost"));
  g_assert_null (strstr (data, "127.0.0.1"));

  allowlist = exitbox_allowlist_load_data (data, (gssize) size, "allowlist.yaml");
  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  g_assert_cmpstrv (exitbox_allowlist_get_categories (allowlist), categories);
  g_assert_cmpuint (strv_length (exitbox_allowlist_get_warnings (allowlist)), ==, 0);

  joined = join_entries (allowlist);
  padded = g_strdup_printf (" %s ", joined);
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s ", required[i]);

      g_assert_nonnull (strstr (padded, needle));
    }

  entries = exitbox_allowlist_get_entries (allowlist);
  for (guint i = 0; i < entries->len; i++)
    {
      const ExitboxAllowlistEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpint (entry->kind, ==, EXITBOX_ALLOWLIST_ENTRY_DOMAIN);
      g_assert_cmpuint (entry->port, ==, 0);
    }
}

typedef struct
{
  const char                *text;
  const char                *canonical;
  ExitboxAllowlistEntryKind  kind;
  const char                *host;
  guint16                    port;
} AcceptedCase;

static void
test_entry_accepted (void)
{
  const AcceptedCase cases[] = {
    { "example.com", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "api.example.com", "api.example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "api.example.com", 0 },
    { "*.example.com", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { ".example.com", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "Example.COM", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "  example.com\t", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "example.com.", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "*.example.com.", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "a-b.x1.example.com", "a-b.x1.example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "a-b.x1.example.com", 0 },
    { "bücher.example", "xn--bcher-kva.example", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "xn--bcher-kva.example", 0 },
    { "BÜCHER.Example", "xn--bcher-kva.example", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "xn--bcher-kva.example", 0 },
    { "xn--bcher-kva.example", "xn--bcher-kva.example", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "xn--bcher-kva.example", 0 },
    { "example.com:8443", "example.com:8443", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 8443 },
    { "example.com:1", "example.com:1", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 1 },
    { "example.com:65535", "example.com:65535", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com",
      65535 },
    { "https://example.com/path", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "http://Example.com:8080/a?b#c", "example.com:8080", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "example.com", 8080 },
    { "https://user@example.com", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "1.2.3.4", "1.2.3.4", EXITBOX_ALLOWLIST_ENTRY_IPV4, "1.2.3.4", 0 },
    { "192.0.2.1:8080", "192.0.2.1:8080", EXITBOX_ALLOWLIST_ENTRY_IPV4, "192.0.2.1", 8080 },
    { "http://192.0.2.1/", "192.0.2.1", EXITBOX_ALLOWLIST_ENTRY_IPV4, "192.0.2.1", 0 },
    { "2001:db8::1", "2001:db8::1", EXITBOX_ALLOWLIST_ENTRY_IPV6, "2001:db8::1", 0 },
    { "2001:DB8:0:0::1", "2001:db8::1", EXITBOX_ALLOWLIST_ENTRY_IPV6, "2001:db8::1", 0 },
    { "[2001:db8::1]", "2001:db8::1", EXITBOX_ALLOWLIST_ENTRY_IPV6, "2001:db8::1", 0 },
    { "[2001:db8::1]:8443", "[2001:db8::1]:8443", EXITBOX_ALLOWLIST_ENTRY_IPV6, "2001:db8::1",
      8443 },
    { "https://[2001:db8::1]:8443/x", "[2001:db8::1]:8443", EXITBOX_ALLOWLIST_ENTRY_IPV6,
      "2001:db8::1", 8443 },
    { "::ffff:192.0.2.1", "::ffff:192.0.2.1", EXITBOX_ALLOWLIST_ENTRY_IPV6, "::ffff:192.0.2.1",
      0 },
    { "HTTPS://EXAMPLE.COM", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "https://example.com/#top", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "https://example.com?q=1", "example.com", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 0 },
    { "example.com:443", "example.com:443", EXITBOX_ALLOWLIST_ENTRY_DOMAIN, "example.com", 443 },
    { "[::1]", "::1", EXITBOX_ALLOWLIST_ENTRY_IPV6, "::1", 0 },
    { "*.xn--bcher-kva.example", "xn--bcher-kva.example", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "xn--bcher-kva.example", 0 },
    { "münchen.de:8080", "xn--mnchen-3ya.de:8080", EXITBOX_ALLOWLIST_ENTRY_DOMAIN,
      "xn--mnchen-3ya.de", 8080 },
    { "10.0.0.1", "10.0.0.1", EXITBOX_ALLOWLIST_ENTRY_IPV4, "10.0.0.1", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAllowlistEntry) entry = NULL;
      g_autoptr(ExitboxAllowlistEntry) copy = NULL;
      g_autoptr(ExitboxAllowlistEntry) reparsed = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *reparsed_text = NULL;

      g_test_message ("entry: %s", cases[i].text);
      entry = exitbox_allowlist_entry_parse (cases[i].text, &error);
      g_assert_no_error (error);
      g_assert_nonnull (entry);
      g_assert_cmpint (entry->kind, ==, cases[i].kind);
      g_assert_cmpstr (entry->host, ==, cases[i].host);
      g_assert_cmpuint (entry->port, ==, cases[i].port);

      canonical = exitbox_allowlist_entry_to_string (entry);
      g_assert_cmpstr (canonical, ==, cases[i].canonical);

      /* The canonical text parses to the same entry. */
      reparsed = exitbox_allowlist_entry_parse (canonical, &error);
      g_assert_no_error (error);
      reparsed_text = exitbox_allowlist_entry_to_string (reparsed);
      g_assert_cmpstr (reparsed_text, ==, canonical);

      copy = exitbox_allowlist_entry_copy (entry);
      g_assert_cmpint (copy->kind, ==, entry->kind);
      g_assert_cmpstr (copy->host, ==, entry->host);
      g_assert_true (copy->host != entry->host);
      g_assert_cmpuint (copy->port, ==, entry->port);
    }
}

static void
test_entry_length_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *label_63 = g_strnfill (63, 'a');
  g_autofree char *label_64 = g_strnfill (64, 'a');
  g_autofree char *long_label = g_strconcat (label_64, ".example.com", NULL);
  g_autofree char *max_label = g_strconcat (label_63, ".example.com", NULL);

  entry = exitbox_allowlist_entry_parse (max_label, &error);
  g_assert_no_error (error);
  g_clear_pointer (&entry, exitbox_allowlist_entry_free);

  entry = exitbox_allowlist_entry_parse (long_label, &error);
  g_assert_null (entry);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "longer than 63"));
  g_clear_error (&error);

  /* Four 62-character labels and "com": 4 * 63 + 3 = 255 characters. */
  for (guint i = 0; i < 4; i++)
    {
      g_string_append_len (name, label_63, 62);
      g_string_append_c (name, '.');
    }
  g_string_append (name, "com");
  g_assert_cmpuint (name->len, ==, 255);

  entry = exitbox_allowlist_entry_parse (name->str, &error);
  g_assert_null (entry);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "longer than 253"));
  g_clear_error (&error);

  /* 253 characters is the maximum. */
  g_string_erase (name, 0, 2);
  g_assert_cmpuint (name->len, ==, 253);
  entry = exitbox_allowlist_entry_parse (name->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
}

static void
test_entry_rejected (void)
{
  const struct
  {
    const char *text;
    const char *reason;  /* a part of the message */
  } cases[] = {
    { "", "empty" },
    { "   ", "empty" },
    { "localhost", "single-label" },
    { "intranet", "single-label" },
    { "LOCALHOST.", "single-label" },
    { "*.com", "single-label" },
    { "foo_bar.example.com", "“_”" },
    { "not valid!", "white space" },
    { "a,b.com", "“,”" },
    { "example!.com", "“!”" },
    { "example.com/path", "“/”" },
    { "-example.com", "starts or ends with “-”" },
    { "example-.com", "starts or ends with “-”" },
    { "api.-x.example.com", "starts or ends with “-”" },
    { "example..com", "empty label" },
    { "..example.com", "empty label" },
    { "example.com..", "empty label" },
    { "999.1.1.1", "not a valid IPv4 address" },
    { "1.2.3", "not a valid IPv4 address" },
    { "1.2.3.4.5", "not a valid IPv4 address" },
    { "256.0.0.1:80", "not a valid IPv4 address" },
    { "example.123", "all digits" },
    { "example.com:0", "out of range" },
    { "example.com:65536", "out of range" },
    { "example.com:99999999999999999999", "out of range" },
    { "example.com:", "missing" },
    { "example.com:http", "not a port number" },
    { "example.com:-1", "not a port number" },
    { "ex*ample.com", "“*”" },
    { "api.*.example.com", "“*”" },
    { "*", "“*”" },
    { "**.example.com", "“*”" },
    { "*.", "“*”" },
    { ".", "no host name" },
    { "*.1.2.3.4", "cannot have subdomains" },
    { "[2001:db8::1", "no matching" },
    { "[example.com]", "not a valid IPv6 address" },
    { "[2001:db8::1]8443", "must be followed" },
    { "[2001:db8::1]:0", "out of range" },
    { "2001:db8::zz", "not a valid IPv6 address" },
    { "2001:db8::1:8443x", "not a valid IPv6 address" },
    { "fe80::1%eth0", "not a valid IPv6 address" },
    { "[1.2.3.4]", "not a valid IPv6 address" },
    { "ftp://", "no host name" },
    { "https://exa mple.com/", "" },
    { "https://example.com:0/", "out of range" },
    { "https://localhost/", "single-label" },
    { "bad\x01name.com", "control characters" },
    { "#example.com", "“#”" },
    { "example.com#top", "“#”" },
    { "example.com;", "“;”" },
    { "\"example.com\"", "“\"”" },
    { "'example.com'", "“'”" },
    { "a.example.com b.example.com", "white space" },
    { "a.example.com\tb.example.com", "white space" },
    { "example.com/", "“/”" },
    { "\xf8\xf8.example.com", "not valid UTF-8" },
    { "b\xc3.example.com", "not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ExitboxAllowlistEntry) entry = NULL;
      g_autofree char *trimmed = g_strstrip (g_strdup (cases[i].text));
      g_autofree char *valid = g_utf8_make_valid (trimmed, -1);
      g_autoptr(GString) printable_text = g_string_new (NULL);
      const char *printable;
      g_autofree char *named = NULL;

      /* Messages show control characters as \xNN. */
      for (const char *p = valid; *p != '\0'; p++)
        {
          if ((guchar) *p < 0x20)
            g_string_append_printf (printable_text, "\\x%02X", (guchar) *p);
          else
            g_string_append_c (printable_text, *p);
        }
      printable = printable_text->str;
      named = g_strdup_printf ("“%s” is not a valid allowlist entry: ", printable);

      {
        g_autofree char *escaped = g_strescape (cases[i].text, NULL);

        g_test_message ("entry: %s", escaped);
      }
      entry = exitbox_allowlist_entry_parse (cases[i].text, &error);
      g_assert_null (entry);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("message: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, named));
      g_assert_nonnull (strstr (error->message, cases[i].reason));
    }
}

/* Editing the file. */

static const char edit_input[] =
  "# My allowlist.\n"
  "version: 1\n"
  "\n"
  "development:\n"
  "  - github.com  # code hosting\n"
  "  - \"*.pypi.org\"\n"
  "\n"
  "disabled:\n"
  "  - gitlab.com\n"
  "\n"
  "# Yours.\n"
  "custom: []\n";

static void
test_allowlist_add_canonical (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "*.Example.COM.:8443",
                                                 NULL, &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (message, "Added example.com:8443 to the category “custom”");
  exitbox_test_assert_contains (message, fixture->allowlist_path);

  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==,
                   "# My allowlist.\n"
                   "version: 1\n"
                   "\n"
                   "development:\n"
                   "  - github.com  # code hosting\n"
                   "  - \"*.pypi.org\"\n"
                   "\n"
                   "disabled:\n"
                   "  - gitlab.com\n"
                   "\n"
                   "# Yours.\n"
                   "custom:\n"
                   "  - example.com:8443\n");
}

static void
test_allowlist_add_new_category (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *items;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "2001:DB8::1",
                                                 "mirrors", &error);

  g_assert_no_error (error);
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_true (g_str_has_prefix (contents, edit_input));
  g_assert_cmpstr (contents + strlen (edit_input), ==, "mirrors:\n  - 2001:db8::1\n");

  allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  items = exitbox_allowlist_get_category_items (allowlist, "mirrors");
  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((ExitboxAllowlistItem *) g_ptr_array_index (items, 0))->canonical, ==,
                   "2001:db8::1");
}

static void
test_allowlist_add_duplicate (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "https://PyPI.org/simple",
                                                 "custom", &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (message, "pypi.org is already allowed by the category "
                                         "“development”");
  exitbox_test_assert_contains (message, "nothing changed");
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, edit_input);
}

static void
test_allowlist_add_disabled (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "GitLab.com", NULL,
                                                 &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  exitbox_test_assert_contains (error->message, "“disabled” list");
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, edit_input);
}

static void
test_allowlist_add_invalid_entry (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(ExitboxAllowlistEntry) entry = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "exa mple.com", NULL,
                                                 &error);
  entry = exitbox_allowlist_entry_parse ("exa mple.com", &parse_error);

  g_assert_null (message);
  g_assert_null (entry);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "“exa mple.com” is not a valid allowlist entry");
  exitbox_test_assert_contains (error->message, parse_error->message);
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, edit_input);
}

static void
test_allowlist_add_reserved_category (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "example.com",
                                                 "version", &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (error->message, "“version”");
}

static void
test_allowlist_add_missing_file (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "example.com", NULL,
                                                 &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, "is missing");
  exitbox_test_assert_contains (error->message, "every destination is blocked");
  exitbox_test_assert_contains (error->message, "Create it");
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));
}

/* A file that fails to parse keeps its bytes and its modification time. */
static void
test_allowlist_add_unparsable (Fixture       *fixture,
                               gconstpointer  user_data)
{
  const char *broken = "custom: [unclosed\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  GStatBuf before;
  GStatBuf after;
  struct utimbuf old_times = { 1000000000, 1000000000 };

  exitbox_test_write_file (fixture->allowlist_path, broken);
  g_assert_cmpint (g_utime (fixture->allowlist_path, &old_times), ==, 0);
  g_assert_cmpint (g_stat (fixture->allowlist_path, &before), ==, 0);

  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "example.com", NULL,
                                                 &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (error->message, "allowlist.yaml:");
  exitbox_test_assert_contains (error->message, "was not changed");

  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, broken);
  g_assert_cmpint (g_stat (fixture->allowlist_path, &after), ==, 0);
  g_assert_cmpint ((gint64) after.st_mtime, ==, (gint64) before.st_mtime);
  g_assert_cmpint ((gint64) after.st_mtime, ==, 1000000000);
}

static void
test_allowlist_add_mode (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GStatBuf info;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  g_assert_cmpint (g_chmod (fixture->allowlist_path, 0644), ==, 0);

  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "example.com", NULL,
                                                 &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpint (g_stat (fixture->allowlist_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
}

/* "*.example.com" and "example.com" are the same entry, so removing one
 * spelling removes both, from every category.
 */
static void
test_allowlist_remove_equal_entry (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  GStatBuf info;

  exitbox_test_write_file (fixture->allowlist_path,
                           "development:\n"
                           "  - github.com\n"
                           "  - example.com  # mine\n"
                           "# kept\n"
                           "custom:\n"
                           "  - \"*.example.com\"\n"
                           "  - example.com:8443\n"
                           "disabled:\n"
                           "  - example.com\n");

  message = exitbox_allowlist_remove_entry_in_file (fixture->allowlist_path, "*.EXAMPLE.com",
                                                    &error);

  g_assert_no_error (error);
  exitbox_test_assert_contains (message, "Removed example.com from “development”, “custom”");
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==,
                   "development:\n"
                   "  - github.com\n"
                   "# kept\n"
                   "custom:\n"
                   "  - example.com:8443\n"
                   "disabled:\n");
  g_assert_cmpint (g_stat (fixture->allowlist_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);

  allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  g_assert_cmpuint (exitbox_allowlist_get_category_items (allowlist, "custom")->len, ==, 1);
}

static void
test_allowlist_remove_absent (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path, edit_input);
  message = exitbox_allowlist_remove_entry_in_file (fixture->allowlist_path, "Example.org",
                                                    &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, "example.org");
  exitbox_test_assert_contains (error->message, fixture->allowlist_path);
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, edit_input);
}

/* An entry the loader skips as invalid can still be removed as written. */
static void
test_allowlist_remove_invalid_text (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) absent_error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *absent = NULL;
  g_autofree char *contents = NULL;

  exitbox_test_write_file (fixture->allowlist_path,
                           "custom:\n  - \"exa mple.com\"\n  - example.org\n");
  message = exitbox_allowlist_remove_entry_in_file (fixture->allowlist_path, "exa mple.com",
                                                    &error);
  absent = exitbox_allowlist_remove_entry_in_file (fixture->allowlist_path, "exa mple.com",
                                                   &absent_error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  contents = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (contents, ==, "custom:\n  - example.org\n");
  g_assert_null (absent);
  g_assert_error (absent_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  exitbox_test_assert_contains (absent_error->message, "“exa mple.com” is not a valid");
}

static void
test_allowlist_remove_missing_file (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  message = exitbox_allowlist_remove_entry_in_file (fixture->allowlist_path, "example.com",
                                                    &error);

  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (error->message, "every destination is blocked");
  g_assert_false (g_file_test (fixture->allowlist_path, G_FILE_TEST_EXISTS));
}

static void
test_allowlist_items (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(ExitboxAllowlist) allowlist = load_from_file (fixture,
                                                          "development:\n"
                                                          "  - GitHub.com\n"
                                                          "  - \"bad host\"\n"
                                                          "  - gitlab.com\n"
                                                          "disabled:\n"
                                                          "  - \"*.gitlab.com\"\n"
                                                          "custom:\n");
  GPtrArray *development = exitbox_allowlist_get_category_items (allowlist, "development");
  GPtrArray *custom = exitbox_allowlist_get_category_items (allowlist, "custom");
  GPtrArray *disabled = exitbox_allowlist_get_disabled_items (allowlist);
  ExitboxAllowlistItem *item;

  g_assert_null (exitbox_allowlist_get_category_items (allowlist, "disabled"));
  g_assert_null (exitbox_allowlist_get_category_items (allowlist, "cloud"));
  g_assert_nonnull (custom);
  g_assert_cmpuint (custom->len, ==, 0);

  g_assert_cmpuint (development->len, ==, 3);
  item = g_ptr_array_index (development, 0);
  g_assert_cmpstr (item->text, ==, "GitHub.com");
  g_assert_cmpstr (item->canonical, ==, "github.com");
  g_assert_false (item->disabled);
  item = g_ptr_array_index (development, 1);
  g_assert_cmpstr (item->text, ==, "bad host");
  g_assert_null (item->canonical);
  g_assert_false (item->disabled);
  item = g_ptr_array_index (development, 2);
  g_assert_cmpstr (item->canonical, ==, "gitlab.com");
  g_assert_true (item->disabled);

  g_assert_cmpuint (disabled->len, ==, 1);
  item = g_ptr_array_index (disabled, 0);
  g_assert_cmpstr (item->text, ==, "*.gitlab.com");
  g_assert_cmpstr (item->canonical, ==, "gitlab.com");
}

static void
test_entry_url_notice (void)
{
  g_autoptr(ExitboxAllowlistEntry) url = exitbox_allowlist_entry_parse ("https://api.example.com/v1",
                                                                        NULL);
  g_autoptr(ExitboxAllowlistEntry) host = exitbox_allowlist_entry_parse ("api.example.com", NULL);
  g_autofree char *url_notice = exitbox_allowlist_entry_dup_notice ("https://api.example.com/v1",
                                                                    url);
  g_autofree char *host_notice = exitbox_allowlist_entry_dup_notice ("api.example.com", host);

  g_autoptr(ExitboxAllowlistEntry) secret = exitbox_allowlist_entry_parse ("https://me:hunter2@x.example.com/",
                                                                           NULL);
  g_autofree char *secret_notice = exitbox_allowlist_entry_dup_notice ("https://me:hunter2@x.example.com/",
                                                                       secret);

  g_assert_nonnull (url_notice);
  g_assert_nonnull (strstr (url_notice, "only api.example.com is used"));
  g_assert_null (host_notice);

  /* A password in the URL is never repeated. */
  g_assert_nonnull (secret_notice);
  g_assert_null (strstr (secret_notice, "hunter2"));
}

static void
test_allowlist_folding (void)
{
  const char *text =
    "development:\n"
    "  - example.com\n"
    "  - api.example.com\n"
    "  - api.example.com:8443\n"
    "  - deep.api.example.com\n"
    "  - example.org\n"
    "custom:\n"
    "  - EXAMPLE.org\n"
    "  - notexample.com\n"
    "  - example.org:443\n";
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_data (text, -1, "allowlist.yaml");
  const char * const *notices = exitbox_allowlist_get_notices (allowlist);
  GPtrArray *entries = exitbox_allowlist_get_entries (allowlist);
  g_autoptr(GString) kept = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *entry_text = exitbox_allowlist_entry_to_string (g_ptr_array_index (entries, i));

      g_string_append_printf (kept, "%s%s", i > 0 ? " " : "", entry_text);
    }

  /* A port entry is not covered by the plain parent, and a name that only
   * ends with the same letters is not a subdomain.
   */
  g_assert_cmpstr (kept->str, ==, "example.com api.example.com:8443 example.org notexample.com");

  g_assert_cmpuint (g_strv_length ((char **) notices), ==, 4);
  g_assert_nonnull (strstr (notices[0], "example.org is listed more than once"));
  g_assert_nonnull (strstr (notices[1], "api.example.com is folded into example.com"));
  g_assert_nonnull (strstr (notices[2], "deep.api.example.com is folded into example.com"));

  /* A plain entry already allows port 443. */
  g_assert_nonnull (strstr (notices[3], "example.org:443 is folded into example.org"));
}

static void
test_allowlist_edit_disabled (void)
{
  const char *expected_disabled =
    "# Mine.\n"
    "development:\n"
    "  - github.com   # code\n"
    "  - pypi.org\n"
    "disabled:\n"
    "  - \"*.pypi.org\"  # for now\n"
    "  - github.com\n";
  const char *expected_enabled =
    "# Mine.\n"
    "development:\n"
    "  - github.com   # code\n"
    "  - pypi.org\n"
    "disabled:\n";
  const char *text =
    "# Mine.\n"
    "development:\n"
    "  - github.com   # code\n"
    "  - pypi.org\n"
    "disabled:\n"
    "  - \"*.pypi.org\"  # for now\n";
  const char * const disable[] = { "GitHub.com", NULL };
  const char * const enable[] = { "pypi.org", NULL };
  const char * const unknown[] = { "gitlab.com", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *disabled = NULL;
  g_autofree char *enabled = NULL;
  g_autofree char *failed = NULL;
  gsize length = 0;

  disabled = exitbox_allowlist_edit_disabled (text, -1, "allowlist.yaml", disable, NULL,
                                              &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (disabled, ==, expected_disabled);
  g_assert_cmpuint (length, ==, strlen (expected_disabled));

  enabled = exitbox_allowlist_edit_disabled (text, -1, "allowlist.yaml", NULL, enable,
                                             &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (enabled, ==, expected_enabled);

  failed = exitbox_allowlist_edit_disabled (text, -1, "allowlist.yaml", unknown, NULL,
                                            &length, &error);
  g_assert_null (failed);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_allowlist_set_disabled_in_file (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxAllowlist) allowlist = NULL;
  g_autofree char *message = NULL;
  g_autofree char *again = NULL;
  g_autofree char *invalid = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  exitbox_test_write_file (fixture->allowlist_path, "development:\n  - github.com\n  - pypi.org\n");

  message = exitbox_allowlist_set_disabled_in_file (fixture->allowlist_path, "github.com", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (message, "Disabled github.com"));

  allowlist = exitbox_allowlist_load_file (fixture->allowlist_path);
  g_assert_cmpuint (exitbox_allowlist_get_n_entries (allowlist), ==, 1);

  again = exitbox_allowlist_set_disabled_in_file (fixture->allowlist_path, "github.com", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (again, "already disabled"));

  g_assert_true (g_file_get_contents (fixture->allowlist_path, &before, NULL, NULL));
  invalid = exitbox_allowlist_set_disabled_in_file (fixture->allowlist_path, "bad name", TRUE, &error);
  g_assert_null (invalid);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_file_get_contents (fixture->allowlist_path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_clear_error (&error);

  /* Enabling an entry that no category lists is an error, as disabling is. */
  g_assert_null (exitbox_allowlist_set_disabled_in_file (fixture->allowlist_path, "gitlab.com",
                                                         FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_allowlist_newer_version (Fixture       *fixture,
                              gconstpointer  user_data)
{
  const char *text = "version: 2\ncustom:\n  - example.com\n";
  g_autoptr(ExitboxAllowlist) allowlist = exitbox_allowlist_load_data (text, -1, "a.yaml");
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *after = NULL;

  /* The entries still apply, and the file is read-only for this version. */
  g_assert_cmpint (exitbox_allowlist_get_status (allowlist), ==, EXITBOX_ALLOWLIST_STATUS_OK);
  g_assert_nonnull (strstr (exitbox_allowlist_get_notices (allowlist)[0], "newer"));

  exitbox_test_write_file (fixture->allowlist_path, text);
  message = exitbox_allowlist_add_entry_in_file (fixture->allowlist_path, "x.example.org", NULL,
                                                 &error);
  g_assert_null (message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  after = exitbox_test_read_file (fixture->allowlist_path);
  g_assert_cmpstr (after, ==, text);
}

static void
test_allowlist_category_names (void)
{
  g_assert_cmpstr (exitbox_allowlist_category_get_display_name ("ai_providers"), ==,
                   "AI providers");
  g_assert_cmpstr (exitbox_allowlist_category_get_display_name ("cloud_services"), ==,
                   "Cloud services");
  g_assert_cmpstr (exitbox_allowlist_category_get_display_name ("custom"), ==, "Custom");
  g_assert_cmpstr (exitbox_allowlist_category_get_display_name ("my-team"), ==, "my-team");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  exitbox_core_init ();

  g_test_add_func ("/allowlist/category-names", test_allowlist_category_names);
  g_test_add ("/allowlist/missing", Fixture, NULL,
              fixture_set_up, test_allowlist_missing, fixture_tear_down);
  g_test_add ("/allowlist/empty", Fixture, NULL,
              fixture_set_up, test_allowlist_empty, fixture_tear_down);
  g_test_add ("/allowlist/invalid", Fixture, NULL,
              fixture_set_up, test_allowlist_invalid, fixture_tear_down);
  g_test_add ("/allowlist/unreadable", Fixture, NULL,
              fixture_set_up, test_allowlist_unreadable, fixture_tear_down);
  g_test_add ("/allowlist/ok", Fixture, NULL,
              fixture_set_up, test_allowlist_ok, fixture_tear_down);
  g_test_add ("/allowlist/disabled", Fixture, NULL,
              fixture_set_up, test_allowlist_disabled, fixture_tear_down);
  g_test_add ("/allowlist/invalid-entries", Fixture, NULL,
              fixture_set_up, test_allowlist_invalid_entries, fixture_tear_down);
  g_test_add ("/allowlist/items", Fixture, NULL,
              fixture_set_up, test_allowlist_items, fixture_tear_down);
  g_test_add ("/allowlist/add-canonical", Fixture, NULL,
              fixture_set_up, test_allowlist_add_canonical, fixture_tear_down);
  g_test_add ("/allowlist/add-new-category", Fixture, NULL,
              fixture_set_up, test_allowlist_add_new_category, fixture_tear_down);
  g_test_add ("/allowlist/add-duplicate", Fixture, NULL,
              fixture_set_up, test_allowlist_add_duplicate, fixture_tear_down);
  g_test_add ("/allowlist/add-disabled", Fixture, NULL,
              fixture_set_up, test_allowlist_add_disabled, fixture_tear_down);
  g_test_add ("/allowlist/add-invalid-entry", Fixture, NULL,
              fixture_set_up, test_allowlist_add_invalid_entry, fixture_tear_down);
  g_test_add ("/allowlist/add-reserved-category", Fixture, NULL,
              fixture_set_up, test_allowlist_add_reserved_category, fixture_tear_down);
  g_test_add ("/allowlist/add-missing-file", Fixture, NULL,
              fixture_set_up, test_allowlist_add_missing_file, fixture_tear_down);
  g_test_add ("/allowlist/add-unparsable", Fixture, NULL,
              fixture_set_up, test_allowlist_add_unparsable, fixture_tear_down);
  g_test_add ("/allowlist/add-mode", Fixture, NULL,
              fixture_set_up, test_allowlist_add_mode, fixture_tear_down);
  g_test_add ("/allowlist/remove-equal-entry", Fixture, NULL,
              fixture_set_up, test_allowlist_remove_equal_entry, fixture_tear_down);
  g_test_add ("/allowlist/remove-absent", Fixture, NULL,
              fixture_set_up, test_allowlist_remove_absent, fixture_tear_down);
  g_test_add ("/allowlist/remove-invalid-text", Fixture, NULL,
              fixture_set_up, test_allowlist_remove_invalid_text, fixture_tear_down);
  g_test_add ("/allowlist/remove-missing-file", Fixture, NULL,
              fixture_set_up, test_allowlist_remove_missing_file, fixture_tear_down);
  g_test_add_func ("/allowlist/default-file", test_allowlist_default_file);
  g_test_add_func ("/allowlist-entry/accepted", test_entry_accepted);
  g_test_add_func ("/allowlist-entry/length-limits", test_entry_length_limits);
  g_test_add_func ("/allowlist-entry/rejected", test_entry_rejected);
  g_test_add_func ("/allowlist-entry/url-notice", test_entry_url_notice);
  g_test_add_func ("/allowlist/folding", test_allowlist_folding);
  g_test_add ("/allowlist/newer-version", Fixture, NULL,
              fixture_set_up, test_allowlist_newer_version, fixture_tear_down);
  g_test_add_func ("/allowlist/edit-disabled", test_allowlist_edit_disabled);
  g_test_add ("/allowlist/set-disabled-in-file", Fixture, NULL,
              fixture_set_up, test_allowlist_set_disabled_in_file, fixture_tear_down);

  return g_test_run ();
}
