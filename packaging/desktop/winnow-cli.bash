# bash completion for winnow-cli. The commands and each command's options are read from
# winnow-cli itself (its usage text and COMMAND --help), so the completion never drifts.
_winnow_cli() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    if [[ $COMP_CWORD -eq 1 ]]; then
        local commands
        commands=$(winnow-cli help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p; s/^  \([a-z][a-z-]*\)$/\1/p')
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local options
        options=$(winnow-cli "${COMP_WORDS[1]}" --help 2>/dev/null |
                  grep -oE -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _winnow_cli winnow-cli
