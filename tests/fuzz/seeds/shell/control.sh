if [ -n "$A" ]; then for f in a b "c d" $(ls /x); do X=1 Y+=2 env Z=3 cmd "$f" 2>/dev/null & done; fi
echo $'\x41' ${V:-def} $((1+2)) \
  continued # comment
