/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 *
 * Times how the core turns a large allowlist.yaml into squid.conf: parsing
 * and normalising with exitbox_allowlist_load_data(), then generating the
 * proxy configuration with exitbox_squid_config_generate(). Prints the
 * median, minimum and maximum of each step for every size given. It checks
 * that every generated entry was accepted, but asserts nothing about time.
 *
 * Usage: allowlist-scale [--runs N] [--write-config SIZE:FILE] SIZE...
 */

#include <stdlib.h>

#include <gio/gio.h>

#include "exitbox-core.h"

/* The internal network and resolver the generated configuration names. The
 * configuration is only written to a file, so nothing connects to them.
 */
#define BENCH_AGENT_SUBNET "10.89.0.0/24"
#define BENCH_DNS_SERVER   "10.89.1.1"

#define N_CATEGORIES 10

typedef struct
{
  guint   n_entries;
  guint   n_enforced;
  guint   n_warnings;
  gsize   yaml_bytes;
  gsize   config_bytes;
  GArray *parse_us;     /* gint64, one per run */
  GArray *generate_us;  /* gint64, one per run */
} SizeResult;

/* Writes entry @index of the generated list. The mix covers what real
 * allowlists contain and what the normaliser has to do: mixed case,
 * "*." prefixes, trailing dots, URLs, ports, IPv4 addresses, subdomains of
 * listed names (dropped as overlaps) and exact duplicates.
 */
static void
append_entry (GString *yaml,
              guint    index)
{
  g_string_append (yaml, "  - ");

  switch (index % 20)
    {
    case 0:
      /* 198.18.0.0/15 is reserved for benchmarks (RFC 2544). */
      g_string_append_printf (yaml, "198.%u.%u.%u\n",
                              18 + (index >> 16) % 2, (index >> 8) & 0xff, index & 0xff);
      break;
    case 1:
      g_string_append_printf (yaml, "\"*.Wild-%u.example.test\"\n", index);
      break;
    case 2:
      g_string_append_printf (yaml, "api-%u.example.test:8443\n", index);
      break;
    case 3:
      g_string_append_printf (yaml, "https://files-%u.example.test/downloads/\n", index);
      break;
    case 4:
      g_string_append_printf (yaml, "HOST-%u.Example.Test.\n", index);
      break;
    case 5:
      /* A subdomain of the "*.Wild-N" entry four places earlier. */
      g_string_append_printf (yaml, "deep.wild-%u.example.test\n", index - 4);
      break;
    case 6:
      /* Entry index - 2 is "HOST-….Example.Test.", the same host after normalising. */
      g_string_append_printf (yaml, "host-%u.example.test\n", index - 2);
      break;
    default:
      g_string_append_printf (yaml, "host-%u.example.test\n", index);
      break;
    }
}

static char *
generate_allowlist (guint n_entries)
{
  GString *yaml = g_string_new ("version: 1\n");

  for (guint category = 0; category < N_CATEGORIES; category++)
    {
      guint first = n_entries * category / N_CATEGORIES;
      guint last = n_entries * (category + 1) / N_CATEGORIES;

      g_string_append_printf (yaml, "category_%u:\n", category);
      for (guint i = first; i < last; i++)
        append_entry (yaml, i);
    }

  return g_string_free (yaml, FALSE);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Prints "median 1.23 ms (min 1.20, max 1.31, n=5)" for @samples, in µs. */
static void
print_stats (const char *label,
             GArray     *samples)
{
  g_autoptr(GArray) sorted = g_array_copy (samples);
  guint n = sorted->len;
  double median;

  g_array_sort (sorted, compare_gint64);
  if (n % 2 == 1)
    median = g_array_index (sorted, gint64, n / 2);
  else
    median = (g_array_index (sorted, gint64, n / 2 - 1) + g_array_index (sorted, gint64, n / 2)) / 2.0;

  g_print ("  %-9s median %.2f ms (min %.2f, max %.2f, n=%u)\n",
           label, median / 1000.0,
           g_array_index (sorted, gint64, 0) / 1000.0,
           g_array_index (sorted, gint64, n - 1) / 1000.0,
           n);
}

static double
median_us (GArray *samples)
{
  g_autoptr(GArray) sorted = g_array_copy (samples);
  guint n = sorted->len;

  g_array_sort (sorted, compare_gint64);
  if (n % 2 == 1)
    return g_array_index (sorted, gint64, n / 2);

  return (g_array_index (sorted, gint64, n / 2 - 1) + g_array_index (sorted, gint64, n / 2)) / 2.0;
}

static gboolean
measure_size (guint        n_entries,
              guint        runs,
              const char  *config_path,
              SizeResult  *result,
              GError     **error)
{
  g_autofree char *yaml = generate_allowlist (n_entries);
  const char * const dns_servers[] = { BENCH_DNS_SERVER, NULL };

  result->n_entries = n_entries;
  result->yaml_bytes = strlen (yaml);
  result->parse_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  result->generate_us = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint run = 0; run < runs; run++)
    {
      g_autoptr(ExitboxAllowlist) allowlist = NULL;
      g_autofree char *config = NULL;
      gint64 start;
      gint64 parsed;
      gint64 generated;

      start = g_get_monotonic_time ();
      allowlist = exitbox_allowlist_load_data (yaml, -1, "generated allowlist.yaml");
      parsed = g_get_monotonic_time ();
      config = exitbox_squid_config_generate (exitbox_allowlist_get_entries (allowlist),
                                              BENCH_AGENT_SUBNET, dns_servers,
                                              exitbox_allowlist_get_problem (allowlist));
      generated = g_get_monotonic_time ();

      if (exitbox_allowlist_get_status (allowlist) != EXITBOX_ALLOWLIST_STATUS_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The generated allowlist of %u entries was rejected: %s",
                       n_entries, exitbox_allowlist_get_problem (allowlist));
          return FALSE;
        }

      result->n_enforced = exitbox_allowlist_get_n_entries (allowlist);
      result->n_warnings = g_strv_length ((char **) exitbox_allowlist_get_warnings (allowlist));
      result->config_bytes = strlen (config);
      if (result->n_warnings > 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The core skipped %u of the %u generated entries, the first because: %s",
                       result->n_warnings, n_entries, exitbox_allowlist_get_warnings (allowlist)[0]);
          return FALSE;
        }

      g_array_append_vals (result->parse_us, &(gint64) { parsed - start }, 1);
      g_array_append_vals (result->generate_us, &(gint64) { generated - parsed }, 1);

      if (run == 0 && config_path != NULL &&
          !g_file_set_contents (config_path, config, -1, error))
        return FALSE;
    }

  return TRUE;
}

static void
print_result (const SizeResult *result)
{
  g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (gint64));
  double per_entry_us;

  for (guint i = 0; i < result->parse_us->len; i++)
    {
      gint64 sum = g_array_index (result->parse_us, gint64, i) +
                   g_array_index (result->generate_us, gint64, i);

      g_array_append_vals (total, &sum, 1);
    }

  per_entry_us = median_us (total) / result->n_entries;

  g_print ("%u entries (%u enforced after normalising, %zu bytes of YAML, %zu bytes of squid.conf):\n",
           result->n_entries, result->n_enforced, result->yaml_bytes, result->config_bytes);
  print_stats ("parse", result->parse_us);
  print_stats ("generate", result->generate_us);
  print_stats ("total", total);
  g_print ("  per entry %.2f us\n", per_entry_us);
  g_print ("result: entries=%u total_median_ms=%.2f per_entry_us=%.3f\n",
           result->n_entries, median_us (total) / 1000.0, per_entry_us);
}

static gboolean
parse_count (const char  *text,
             guint       *out_value,
             GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, error))
    return FALSE;

  *out_value = (guint) value;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_spec = NULL;
  int runs = 5;
  guint config_size = 0;
  const char *config_path = NULL;
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry options[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per size (default 5)", "N" },
    { "write-config", 0, 0, G_OPTION_ARG_STRING, &config_spec,
      "Write the squid.conf generated for SIZE entries to FILE", "SIZE:FILE" },
    { NULL }
  };

  context = g_option_context_new ("SIZE... - time allowlist parsing and squid.conf generation");
  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("allowlist-scale: %s\n", error->message);
      return 2;
    }

  if (argc < 2 || runs < 1)
    {
      g_printerr ("allowlist-scale: give at least one size and --runs of 1 or more; see --help\n");
      return 2;
    }

  if (config_spec != NULL)
    {
      char *colon = strchr (config_spec, ':');

      if (colon == NULL)
        {
          g_printerr ("allowlist-scale: --write-config needs SIZE:FILE, not “%s”\n", config_spec);
          return 2;
        }
      *colon = '\0';
      config_path = colon + 1;
      if (!parse_count (config_spec, &config_size, &error))
        {
          g_printerr ("allowlist-scale: invalid size in --write-config: %s\n", error->message);
          return 2;
        }
    }

  exitbox_core_init ();

  for (int i = 1; i < argc; i++)
    {
      SizeResult result = { 0 };
      guint n_entries;

      if (!parse_count (argv[i], &n_entries, &error))
        {
          g_printerr ("allowlist-scale: invalid size “%s”: %s\n", argv[i], error->message);
          return 2;
        }

      if (!measure_size (n_entries, (guint) runs,
                         n_entries == config_size ? config_path : NULL,
                         &result, &error))
        {
          g_printerr ("allowlist-scale: %s\n", error->message);
          return 1;
        }

      print_result (&result);
      g_array_unref (result.parse_us);
      g_array_unref (result.generate_us);
    }

  return 0;
}
