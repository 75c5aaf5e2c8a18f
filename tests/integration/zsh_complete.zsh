# zsh -f zsh_complete.zsh DIR OUT LINE...: type each LINE and Tab in an
# interactive zsh (on a pseudo-terminal, zsh/zpty) whose completion system
# loads _ragdeck from DIR, and write to OUT "LINE<Tab>MATCH" for each match
# offered. In that zsh a compadd wrapper writes what each call adds, and a
# widget bound to Tab marks where each completion ends.
zmodload zsh/zpty || exit 1
dir=$1 out=$2
shift 2
: >| $out
cat >| $out.rc <<RC
exec 2>>${(q)out}
bindkey -e
unsetopt autolist beep
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit && compinit -u -D
RC
cat >> $out.rc <<'RC'
compadd() {
	local a
	for a in "$@"; do
		[[ $a == (-|--) ]] && break
		[[ $a == -[[:alnum:]]#[OAD]* ]] && { builtin compadd "$@"; return }
	done
	local -a added
	builtin compadd -O added "$@"
	(( $#added )) && print -rl -- "match"$'\t'${^added} >&2
	builtin compadd "$@"
}
_cap_tab() {
	zle complete-word
	print -r -- done >&2
}
zle -N _cap_tab
bindkey '^I' _cap_tab
setopt extendedglob
RC
zpty cap env TERM=xterm HOME=/nonexistent PS1= zsh -f -i
zpty -w cap "source ${(q)out}.rc"
integer n=0 tries
typeset -a seen
for line; do
	(( n++ ))
	print -r -- "line"$'\t'"$line" >> $out
	zpty -w -n cap "$line"$'\t'
	for (( tries = 0; tries < 200; tries++ )); do
		seen=(${(M)${(f)"$(<$out)"}:#done})
		(( $#seen >= n )) && break
		sleep 0.05
	done
	zpty -w -n cap $'\C-u'
done
zpty -d cap
rm -f $out.rc
# "line L", then "match M" for each: "L<Tab>M"
awk -F '\t' '$1 == "line" { l = $2 } $1 == "match" { print l "\t" $2 }' $out >| $out.tmp && mv $out.tmp $out
