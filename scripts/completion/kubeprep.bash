# bash completion for kubeprep(8)
_kubeprep() {
        local cur prev words cword
        _init_completion 2>/dev/null || {
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD - 1]}
        }
        local verbs="check apply rollback diagnose lint kubeadm list"
        local opts="--root --profile --only --skip --user --kubelet-version --control-plane-version
                --kubeadm-config --dry-run --no-restart --lock-timeout --fix --journal-dir --log --since --output
                --verbose --quiet --help --version"
        case "$prev" in
        --root | --journal-dir)
                COMPREPLY=($(compgen -d -- "$cur"))
                return ;;
        --kubeadm-config | --log)
                COMPREPLY=($(compgen -f -- "$cur"))
                return ;;
        --profile)
                local names
                names=$(ls /etc/kubeprep/profiles /usr/share/kubeprep/profiles /usr/local/share/kubeprep/profiles \
                        2>/dev/null | sed -n 's/\.yaml$//p' | grep -v '^signatures$')
                COMPREPLY=($(compgen -W "auto $names" -- "$cur") $(compgen -f -- "$cur"))
                return ;;
        --only | --skip)
                # a comma-separated list: complete the last name
                local fixers prefix=${cur%,*} last=${cur##*,}
                fixers=$(kubeprep list 2>/dev/null | awk '{print $1}')
                [ "$prefix" = "$cur" ] && prefix= || prefix="$prefix,"
                COMPREPLY=($(compgen -P "$prefix" -W "$fixers" -- "$last"))
                return ;;
        -o | --output)
                COMPREPLY=($(compgen -W "text json prometheus" -- "$cur"))
                return ;;
        --user)
                COMPREPLY=($(compgen -u -- "$cur"))
                return ;;
        esac
        local i verb=
        for ((i = 1; i < COMP_CWORD; i++)); do
                case " $verbs " in *" ${COMP_WORDS[i]} "*) verb=${COMP_WORDS[i]}; break ;; esac
        done
        if [ -z "$verb" ] && [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
        elif [ "$verb" = lint ] && [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
        else
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        fi
}
complete -F _kubeprep kubeprep
