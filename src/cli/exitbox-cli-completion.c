/* SPDX-License-Identifier: AGPL-3.0-or-later
 * SPDX-FileCopyrightText: The ExitBox authors
 */

#include <glib/gi18n.h>

#include "exitbox-cli-private.h"

typedef struct
{
  GPtrArray *flags;          /* "-r", "--read-only", … */
  GPtrArray *value_options;  /* "-e", "--env", … */
  char      *commands;       /* space-separated command words */
  char      *agents;         /* space-separated agent ids */
} Words;

static void
words_clear (Words *words)
{
  g_clear_pointer (&words->flags, g_ptr_array_unref);
  g_clear_pointer (&words->value_options, g_ptr_array_unref);
  g_clear_pointer (&words->commands, g_free);
  g_clear_pointer (&words->agents, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Words, words_clear)

static char *
join_array (GPtrArray  *array,
            const char *separator)
{
  g_ptr_array_add (array, NULL);
  g_ptr_array_set_size (array, array->len - 1);

  return g_strjoinv (separator, (char **) array->pdata);
}

static void
collect_words (Words *words)
{
  g_autoptr(GStrvBuilder) agents = g_strv_builder_new ();
  g_auto(GStrv) agent_ids = NULL;
  g_autofree char *commands = g_strjoinv (" ", (char **) exitbox_cli_get_command_names ());
  const ExitboxAgentInfo *infos;
  guint n_agents;

  words->flags = g_ptr_array_new_with_free_func (g_free);
  words->value_options = g_ptr_array_new_with_free_func (g_free);
  exitbox_cli_append_option_names (words->flags, words->value_options);

  infos = exitbox_agent_get_all (&n_agents);
  for (guint i = 0; i < n_agents; i++)
    g_strv_builder_add (agents, infos[i].id);
  agent_ids = g_strv_builder_end (agents);

  words->agents = g_strjoinv (" ", agent_ids);
  words->commands = g_strdup_printf ("run shell help %s", commands);
}

/* A bash function that completes options before the command, the command
 * words and agent names, and the arguments of the commands that take
 * fixed words. Everything else falls back to file names.
 */
static void
print_bash (const Words *words)
{
  g_autofree char *flags = join_array (words->flags, " ");
  g_autofree char *value_options = join_array (words->value_options, " ");
  g_autofree char *value_pattern = join_array (words->value_options, "|");

  g_print ("_exitbox ()\n"
           "{\n"
           "  local cur=${COMP_WORDS[COMP_CWORD]}\n"
           "  local prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "  local command= i\n"
           "\n"
           "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "    case ${COMP_WORDS[i]} in\n"
           "      %s) ((i++)) ;;\n"
           "      -*) ;;\n"
           "      *) command=${COMP_WORDS[i]}; break ;;\n"
           "    esac\n"
           "  done\n"
           "\n"
           "  if [ -z \"$command\" ]; then\n"
           "    case $prev in\n"
           "      -i|--include-dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
           "      %s) COMPREPLY=(); return ;;\n"
           "    esac\n"
           "    if [[ $cur == -* ]]; then\n"
           "      COMPREPLY=($(compgen -W \"%s %s --help --version\" -- \"$cur\"))\n"
           "    else\n"
           "      COMPREPLY=($(compgen -W \"%s %s\" -- \"$cur\"))\n"
           "    fi\n"
           "    return\n"
           "  fi\n"
           "\n"
           "  local position=$((COMP_CWORD - i))\n"
           "  case $command in\n"
           "    run|enable|disable)\n"
           "      [ $position -eq 1 ] && COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;\n"
           "    import) COMPREPLY=($(compgen -W \"%s all --yes --help\" -- \"$cur\")) ;;\n"
           "    logs) COMPREPLY=($(compgen -W \"%s --session --help\" -- \"$cur\")) ;;\n"
           "    completion) [ $position -eq 1 ] && COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n"
           "    allowlist) [ $position -eq 1 ] && COMPREPLY=($(compgen -W \"list add remove\" -- \"$cur\")) ;;\n"
           "    doctor) COMPREPLY=($(compgen -W \"--fix --yes\" -- \"$cur\")) ;;\n"
           "    shell) [ $position -eq 1 ] && COMPREPLY=($(compgen -W \"--\" -- \"$cur\")) ;;\n"
           "  esac\n"
           "}\n"
           "complete -o bashdefault -o default -F _exitbox exitbox\n",
           value_pattern, value_pattern, flags, value_options, words->commands, words->agents,
           words->agents, words->agents, words->agents);
}

static void
print_fish_option (const char *name,
                   gboolean    takes_value)
{
  const char *value = "";

  if (takes_value)
    value = g_str_equal (name, "-i") || g_str_equal (name, "--include-dir") ? " -r -F" : " -r";

  if (name[1] == '-')
    g_print ("complete -c exitbox -n __fish_use_subcommand -l %s%s\n", name + 2, value);
  else
    g_print ("complete -c exitbox -n __fish_use_subcommand -s %s%s\n", name + 1, value);
}

static void
print_fish (const Words *words)
{
  g_print ("complete -c exitbox -f\n");

  for (guint i = 0; i < words->flags->len; i++)
    print_fish_option (g_ptr_array_index (words->flags, i), FALSE);
  for (guint i = 0; i < words->value_options->len; i++)
    print_fish_option (g_ptr_array_index (words->value_options, i), TRUE);

  g_print ("complete -c exitbox -n __fish_use_subcommand -a '%s %s'\n",
           words->commands, words->agents);
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from run enable disable logs import' "
           "-a '%s'\n", words->agents);
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from import' -a all -l yes\n");
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from logs' -l session\n");
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n");
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from allowlist' -a 'list add remove'\n");
  g_print ("complete -c exitbox -n '__fish_seen_subcommand_from doctor' -l fix -l yes\n");
}

/* `exitbox completion bash|zsh|fish`: prints a completion script to load
 * with `source <(exitbox completion bash)` or to save in the shell's
 * completion folder. zsh loads the bash function through bashcompinit.
 */
int
exitbox_cli_completion (CliOptions *options)
{
  g_auto(Words) words = { 0 };
  const char *shell = options->args[0];

  if (exitbox_cli_wants_help (options->args))
    {
      g_print ("%s", _("Usage: exitbox completion bash|zsh|fish\n"
                       "\n"
                       "Print a completion script for the shell. For example, add\n"
                       "  source <(exitbox completion bash)\n"
                       "to ~/.bashrc, or run\n"
                       "  exitbox completion fish > ~/.config/fish/completions/exitbox.fish\n"));
      return 0;
    }

  if (shell == NULL || options->args[1] != NULL)
    {
      exitbox_cli_print_error (_("“completion” needs one shell name: bash, zsh or fish."));
      return 2;
    }

  if (!g_str_equal (shell, "bash") && !g_str_equal (shell, "zsh") && !g_str_equal (shell, "fish"))
    {
      g_autofree char *message =
        g_strdup_printf (_("ExitBox has no completion for the shell “%s”; it has bash, zsh and "
                           "fish."), shell);

      exitbox_cli_print_error (message);
      return 2;
    }

  collect_words (&words);

  if (g_str_equal (shell, "fish"))
    {
      print_fish (&words);
      return 0;
    }

  if (g_str_equal (shell, "zsh"))
    g_print ("autoload -U +X bashcompinit && bashcompinit\n");

  print_bash (&words);
  return 0;
}
