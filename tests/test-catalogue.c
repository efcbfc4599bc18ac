/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <string.h>

#include <gio/gio.h>

#include "exitbox-core.h"
#include "exitbox-test-utils.h"

/* The smallest valid catalogue. The load error cases change one piece of
 * it, so the line numbers in the comments matter.
 */
static const char minimal_catalogue[] =
  "roles:\n"                            /* 1 */
  "  - id: backend\n"                   /* 2 */
  "    name: Backend\n"                 /* 3 */
  "    description: Servers\n"          /* 4 */
  "    languages: [python]\n"           /* 5 */
  "    tool-categories: [shell]\n"      /* 6 */
  "languages:\n"                        /* 7 */
  "  - id: python\n"                    /* 8 */
  "    name: Python\n"                  /* 9 */
  "    profile: python\n"               /* 10 */
  "tool-categories:\n"                  /* 11 */
  "  - id: shell\n"                     /* 12 */
  "    name: Shell\n"                   /* 13 */
  "    profile: shell\n"                /* 14 */
  "profiles:\n"                         /* 15 */
  "  - id: base\n"                      /* 16 */
  "    name: Base\n"                    /* 17 */
  "    description: Base tools\n"       /* 18 */
  "    packages:\n"                     /* 19 */
  "      debian: [git]\n"               /* 20 */
  "      alpine: [git]\n"               /* 21 */
  "  - id: python\n"                    /* 22 */
  "    name: Python\n"                  /* 23 */
  "    description: Python 3\n"         /* 24 */
  "    packages:\n"                     /* 25 */
  "      debian: [python3]\n"           /* 26 */
  "      alpine: [python3]\n"           /* 27 */
  "  - id: shell\n"                     /* 28 */
  "    name: Shell\n"                   /* 29 */
  "    description: Shell tools\n"      /* 30 */
  "    packages:\n"                     /* 31 */
  "      debian: [rsync]\n"             /* 32 */
  "      alpine: [rsync]\n"             /* 33 */
  "    downloads: [fish]\n";            /* 34 */

static const char * const expected_profiles[] = {
  "base", "build-tools", "shell", "networking", "c", "node", "python", "rust", "go",
  "java", "ruby", "php", "database", "devops", "web", "security", "flutter", NULL,
};

static ExitboxCatalogue *
load_default_catalogue (void)
{
  g_autoptr(GError) error = NULL;
  ExitboxCatalogue *catalogue = exitbox_catalogue_load_default (&error);

  g_assert_no_error (error);
  g_assert_nonnull (catalogue);

  return catalogue;
}

static void
assert_strv_equal (char               **actual,
                   const char * const  *expected)
{
  g_autofree char *actual_text = g_strjoinv (" ", actual);
  g_autofree char *expected_text = g_strjoinv (" ", (char **) expected);

  g_assert_cmpstr (actual_text, ==, expected_text);
}

static void
test_catalogue_default_loads (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_auto(GStrv) roles = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_ROLE);
  g_auto(GStrv) languages = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_LANGUAGE);
  g_auto(GStrv) categories = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_TOOL_CATEGORY);
  static const char * const expected_roles[] = {
    "frontend", "backend", "fullstack", "devops", "data-science", "mobile", "embedded",
    "security", NULL,
  };
  static const char * const expected_languages[] = {
    "c", "node", "python", "rust", "go", "java", "ruby", "php", "flutter", NULL,
  };
  static const char * const expected_categories[] = {
    "build-tools", "shell", "networking", "database", "devops", "web", "security", NULL,
  };

  assert_strv_equal (roles, expected_roles);
  assert_strv_equal (languages, expected_languages);
  assert_strv_equal (categories, expected_categories);
  g_assert_cmpstr (exitbox_catalogue_get_name (catalogue, EXITBOX_CATALOGUE_ROLE, "data-science"),
                   ==, "Data science");
  g_assert_cmpstr (exitbox_catalogue_get_name (catalogue, EXITBOX_CATALOGUE_LANGUAGE, "c"),
                   ==, "C/C++");
  g_assert_cmpstr (exitbox_catalogue_get_profile_for (catalogue, EXITBOX_CATALOGUE_LANGUAGE, "node"),
                   ==, "node");
  g_assert_cmpstr (exitbox_catalogue_get_profile_for (catalogue, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                      "security"),
                   ==, "security");
}

static void
test_catalogue_profiles (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_auto(GStrv) profiles = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_PROFILE);

  g_assert_cmpuint (g_strv_length (profiles), ==, 17);
  assert_strv_equal (profiles, expected_profiles);

  for (guint i = 0; profiles[i] != NULL; i++)
    {
      const char *name = exitbox_catalogue_get_name (catalogue, EXITBOX_CATALOGUE_PROFILE,
                                                     profiles[i]);
      const char *description = exitbox_catalogue_get_description (catalogue,
                                                                   EXITBOX_CATALOGUE_PROFILE,
                                                                   profiles[i]);

      g_assert_nonnull (name);
      g_assert_nonnull (description);
      g_assert_cmpstr (description, !=, "");
    }
}

/* Every reference resolves, every role has a description and at least one
 * language or tool category, and every language and tool category maps to a
 * profile.
 */
static void
test_catalogue_references (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_auto(GStrv) roles = exitbox_catalogue_dup_ids (catalogue, EXITBOX_CATALOGUE_ROLE);
  ExitboxCatalogueKind mapped_kinds[] = {
    EXITBOX_CATALOGUE_LANGUAGE, EXITBOX_CATALOGUE_TOOL_CATEGORY,
  };

  for (guint i = 0; roles[i] != NULL; i++)
    {
      g_auto(GStrv) languages = exitbox_catalogue_dup_role_languages (catalogue, roles[i]);
      g_auto(GStrv) categories = exitbox_catalogue_dup_role_tool_categories (catalogue, roles[i]);

      g_assert_nonnull (exitbox_catalogue_get_description (catalogue, EXITBOX_CATALOGUE_ROLE,
                                                           roles[i]));
      g_assert_cmpuint (g_strv_length (languages) + g_strv_length (categories), >, 0);

      for (guint j = 0; languages[j] != NULL; j++)
        g_assert_true (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_LANGUAGE,
                                                   languages[j]));
      for (guint j = 0; categories[j] != NULL; j++)
        g_assert_true (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_TOOL_CATEGORY,
                                                   categories[j]));
    }

  for (guint k = 0; k < G_N_ELEMENTS (mapped_kinds); k++)
    {
      g_auto(GStrv) ids = exitbox_catalogue_dup_ids (catalogue, mapped_kinds[k]);

      for (guint i = 0; ids[i] != NULL; i++)
        {
          const char *profile = exitbox_catalogue_get_profile_for (catalogue, mapped_kinds[k],
                                                                   ids[i]);

          g_assert_nonnull (profile);
          g_assert_true (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_PROFILE,
                                                     profile));
          g_assert_nonnull (exitbox_catalogue_get_name (catalogue, mapped_kinds[k], ids[i]));
          g_assert_null (exitbox_catalogue_get_description (catalogue, mapped_kinds[k], ids[i]));
        }
    }
}

static void
test_catalogue_suggest_backend (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_autoptr(GError) error = NULL;
  const char * const roles[] = { "backend", NULL };
  const char * const expected[] = { "base", "python", "go", "build-tools", "database", NULL };
  g_auto(GStrv) profiles = exitbox_catalogue_suggest_profiles (catalogue, roles, &error);

  g_assert_no_error (error);
  assert_strv_equal (profiles, expected);
}

static void
test_catalogue_suggest_devops_security (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_autoptr(GError) error = NULL;
  const char * const roles[] = { "devops", "security", NULL };
  const char * const expected[] = {
    "base", "go", "python", "node", "build-tools", "networking", "devops", "shell", "security",
    NULL,
  };
  g_auto(GStrv) profiles = exitbox_catalogue_suggest_profiles (catalogue, roles, &error);

  g_assert_no_error (error);
  assert_strv_equal (profiles, expected);
}

static void
test_catalogue_suggest_no_roles (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_autoptr(GError) error = NULL;
  const char * const roles[] = { NULL };
  const char * const expected[] = { "base", NULL };
  g_auto(GStrv) profiles = exitbox_catalogue_suggest_profiles (catalogue, roles, &error);

  g_assert_no_error (error);
  assert_strv_equal (profiles, expected);
}

static void
test_catalogue_unknown_ids (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  g_autoptr(GError) suggest_error = NULL;
  g_autoptr(GError) packages_error = NULL;
  const char * const roles[] = { "backend", "astronaut", NULL };
  g_auto(GStrv) profiles = exitbox_catalogue_suggest_profiles (catalogue, roles, &suggest_error);
  g_auto(GStrv) packages = exitbox_catalogue_dup_packages (catalogue, "cobol",
                                                           EXITBOX_BASE_FAMILY_DEBIAN,
                                                           &packages_error);
  g_auto(GStrv) languages = exitbox_catalogue_dup_role_languages (catalogue, "astronaut");
  g_auto(GStrv) categories = exitbox_catalogue_dup_role_tool_categories (catalogue, "astronaut");
  g_auto(GStrv) downloads = exitbox_catalogue_dup_downloads (catalogue, "cobol");

  g_assert_null (profiles);
  g_assert_error (suggest_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (suggest_error->message, "“astronaut”");
  g_assert_null (packages);
  g_assert_error (packages_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  exitbox_test_assert_contains (packages_error->message, "“cobol”");
  g_assert_null (languages);
  g_assert_null (categories);
  g_assert_null (downloads);
  g_assert_false (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_PROFILE, "cobol"));
  g_assert_null (exitbox_catalogue_get_name (catalogue, EXITBOX_CATALOGUE_LANGUAGE, "cobol"));
  g_assert_null (exitbox_catalogue_get_description (catalogue, EXITBOX_CATALOGUE_ROLE, "cobol"));
  g_assert_null (exitbox_catalogue_get_profile_for (catalogue, EXITBOX_CATALOGUE_LANGUAGE, "cobol"));

  /* Ids are unique per kind only: "devops" is a role and a tool category,
   * "node" a language and a profile.
   */
  g_assert_true (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_ROLE, "devops"));
  g_assert_false (exitbox_catalogue_contains (catalogue, EXITBOX_CATALOGUE_ROLE, "node"));
  g_assert_null (exitbox_catalogue_get_profile_for (catalogue, EXITBOX_CATALOGUE_ROLE, "devops"));
}

static void
assert_packages (ExitboxCatalogue   *catalogue,
                 const char         *profile_id,
                 ExitboxBaseFamily   family,
                 const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) packages = exitbox_catalogue_dup_packages (catalogue, profile_id, family, &error);

  g_assert_no_error (error);
  g_assert_nonnull (packages);
  assert_strv_equal (packages, expected);
}

static void
test_catalogue_packages (void)
{
  g_autoptr(ExitboxCatalogue) catalogue = load_default_catalogue ();
  const char * const build_tools_debian[] = { "cmake", "ninja-build", "autoconf", "automake",
                                              "libtool", NULL };
  const char * const build_tools_alpine[] = { "cmake", "samurai", "autoconf", "automake",
                                              "libtool", NULL };
  const char * const none[] = { NULL };
  g_auto(GStrv) go_downloads = exitbox_catalogue_dup_downloads (catalogue, "go");
  g_auto(GStrv) web_downloads = exitbox_catalogue_dup_downloads (catalogue, "web");

  assert_packages (catalogue, "build-tools", EXITBOX_BASE_FAMILY_DEBIAN, build_tools_debian);
  assert_packages (catalogue, "build-tools", EXITBOX_BASE_FAMILY_ALPINE, build_tools_alpine);
  assert_packages (catalogue, "go", EXITBOX_BASE_FAMILY_DEBIAN, none);
  assert_packages (catalogue, "flutter", EXITBOX_BASE_FAMILY_ALPINE, none);
  g_assert_true (g_strv_contains ((const char * const *) go_downloads, "go"));
  g_assert_cmpuint (g_strv_length (web_downloads), ==, 0);

  /* A profile that installs no Debian package must name what it downloads,
   * or choosing it would change nothing.
   */
  for (guint i = 0; expected_profiles[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) debian = exitbox_catalogue_dup_packages (catalogue, expected_profiles[i],
                                                             EXITBOX_BASE_FAMILY_DEBIAN, &error);
      g_auto(GStrv) downloads = exitbox_catalogue_dup_downloads (catalogue, expected_profiles[i]);

      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (debian) + g_strv_length (downloads), >, 0);
    }
}

static void
test_catalogue_minimal (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ExitboxCatalogue) catalogue = exitbox_catalogue_load_data (minimal_catalogue, -1,
                                                                        "test.yaml", &error);
  g_auto(GStrv) downloads = NULL;
  const char * const expected[] = { "fish", NULL };

  g_assert_no_error (error);
  g_assert_nonnull (catalogue);

  downloads = exitbox_catalogue_dup_downloads (catalogue, "shell");
  assert_strv_equal (downloads, expected);
}

typedef struct
{
  const char *old_text;     /* replaced once in minimal_catalogue */
  const char *new_text;
  const char *location;     /* expected start of the message */
  const char *mention;      /* expected somewhere in the message */
} MalformedCase;

static void
test_catalogue_malformed (void)
{
  static const MalformedCase cases[] = {
    { "description: Servers", "description: a: b", "test.yaml:4:", "" },
    { "languages: [python]", "languages: [cobol]", "test.yaml:5:", "unknown language “cobol”" },
    { "tool-categories: [shell]", "tool-categories: [web]", "test.yaml:6:",
      "unknown tool category “web”" },
    { "profile: shell", "profile: fish", "test.yaml:14:", "unknown profile “fish”" },
    { "languages: [python]", "languages: [python, python]", "test.yaml:5:", "twice" },
    { "  - id: shell\n    name: Shell\n    description", "  - id: python\n    name: Shell\n    description",
      "test.yaml:28:", "defined twice" },
    { "id: base", "id: Base", "test.yaml:16:", "“Base”" },
    { "id: base", "id: core", "test.yaml:16:", "“base” is missing" },
    { "description: Base tools", "summary: Base tools", "test.yaml:18:", "“summary”" },
    { "      alpine: [git]\n", "", "test.yaml:20:", "“alpine”" },
    { "debian: [rsync]", "debian: [rsync, \"rm -rf\"]", "test.yaml:32:", "“rm -rf”" },
    { "debian: [git]", "debian: git", "test.yaml:20:", "must be a list" },
    { "    name: Python\n    profile", "    profile", "test.yaml:8:", "“name”" },
    { "roles:\n  - id: backend\n    name: Backend\n    description: Servers\n"
      "    languages: [python]\n    tool-categories: [shell]\n",
      "roles: []\n", "test.yaml:1:", "“roles” is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) text = g_string_new (minimal_catalogue);
      g_autoptr(ExitboxCatalogue) catalogue = NULL;
      g_autofree char *old_escaped = g_strescape (cases[i].old_text, NULL);
      g_autofree char *new_escaped = g_strescape (cases[i].new_text, NULL);

      g_test_message ("case %u: replace \"%s\" with \"%s\"", i, old_escaped, new_escaped);
      g_assert_nonnull (strstr (text->str, cases[i].old_text));
      g_string_replace (text, cases[i].old_text, cases[i].new_text, 1);

      catalogue = exitbox_catalogue_load_data (text->str, (gssize) text->len, "test.yaml", &error);

      g_assert_null (catalogue);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_test_message ("message: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, cases[i].location));
      exitbox_test_assert_contains (error->message, cases[i].mention);
    }
}

static void
test_catalogue_not_mapping (void)
{
  g_autoptr(GError) empty_error = NULL;
  g_autoptr(GError) list_error = NULL;
  g_autoptr(ExitboxCatalogue) empty = exitbox_catalogue_load_data ("", 0, "test.yaml",
                                                                    &empty_error);
  g_autoptr(ExitboxCatalogue) list = exitbox_catalogue_load_data ("# roles\n- a\n- b\n", -1,
                                                                   "test.yaml", &list_error);

  g_assert_null (empty);
  g_assert_error (empty_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  exitbox_test_assert_contains (empty_error->message, "empty");
  g_assert_null (list);
  g_assert_error (list_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (list_error->message, "test.yaml:2:"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/catalogue/default-loads", test_catalogue_default_loads);
  g_test_add_func ("/catalogue/profiles", test_catalogue_profiles);
  g_test_add_func ("/catalogue/references", test_catalogue_references);
  g_test_add_func ("/catalogue/suggest-backend", test_catalogue_suggest_backend);
  g_test_add_func ("/catalogue/suggest-devops-security", test_catalogue_suggest_devops_security);
  g_test_add_func ("/catalogue/suggest-no-roles", test_catalogue_suggest_no_roles);
  g_test_add_func ("/catalogue/unknown-ids", test_catalogue_unknown_ids);
  g_test_add_func ("/catalogue/packages", test_catalogue_packages);
  g_test_add_func ("/catalogue/minimal", test_catalogue_minimal);
  g_test_add_func ("/catalogue/malformed", test_catalogue_malformed);
  g_test_add_func ("/catalogue/not-mapping", test_catalogue_not_mapping);

  return g_test_run ();
}
