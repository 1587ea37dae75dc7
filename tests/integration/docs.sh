#!/bin/sh
# cicada --help and man cicada agree: every long option of one is in the
# other, and every [run]/[demo] key is in cicada.ini(5).
. "$top_srcdir/tests/lib.sh"

"$CICADA" --help >"$T/help" || fail "--help failed"
help_opts=$(grep -o -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u)
man_opts=$(sed 's/\\-/-/g' "$top_srcdir/man/cicada.1" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
for o in $help_opts; do
    echo "$man_opts" | grep -qx -- "$o" || fail "$o is in --help but not in man/cicada.1"
done
for o in $man_opts; do
    echo "$help_opts" | grep -qx -- "$o" || fail "$o is in man/cicada.1 but not in --help"
done
for k in host users spawn_rate run_time threads stop_timeout timeout connect_timeout headless \
         autostart only_summary reset_stats exit_code_on_error loglevel logfile slots \
         service_time service_cv queue port weight fixed_count wait header method path name \
         body body_file expect_status expect_body expect_json max_response_time capture phase \
         order follow_redirects verify_tls http_version env-file tags exclude_tags user_classes \
         stage start_users step_users step_time max_users hold base_users spike_users before \
         spike_time after spike_rate threshold abort_on_fail grace csv json html \
         rate arrivals rate_stage mode load start step max step_time warmup limit min_ratio \
         min_gain cpu_limit refine safety_factor; do
    sed 's/\\-/-/g' "$top_srcdir/man/cicada.ini.5" | grep -q "$k" || fail "key $k is not in man/cicada.ini.5"
done
# every file make install puts in PREFIX/share/cicada is named in FILES, under PREFIX
files=$(sed -n '/^dist_pkgdata_DATA/,/^$/p' "$top_srcdir/Makefile.am" | grep -o 'conf/[a-z.-]*' | sed 's|conf/||')
[ -n "$files" ] || fail "no dist_pkgdata_DATA in Makefile.am"
man_files=$(sed -n '/^\.SH FILES/,/^\.SH /p' "$top_srcdir/man/cicada.1" | sed 's/\\-/-/g')
for f in $files; do
    echo "$man_files" | grep -q -- "$f" || fail "$f is installed but not in cicada(1) FILES"
done
echo "$man_files" | grep -q "/usr/share/cicada" && fail "cicada(1) FILES names /usr/share/cicada, not the configured PREFIX"
echo "help and man pages agree on $(echo "$help_opts" | wc -l) options"
