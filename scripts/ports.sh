# Sourced by the scripts that start local servers: fail before starting a server on a port that
# something else already listens on, naming what holds it and the variable that moves the server.
#
#   require_free_port <port> <VARIABLE> <what is starting>

# "pid 123 (java -cp ... Foo)" for the process listening on 127.0.0.1/any address at <port>, or
# "another process" when the socket's owner cannot be seen.
port_holder() {
  local pid
  pid=$(ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
  if [[ -n $pid ]]; then
    echo "pid $pid ($(ps -o args= -p "$pid" 2>/dev/null | cut -c1-100))"
  else
    echo "another process"
  fi
}

port_listening() {
  if command -v ss >/dev/null; then
    [[ -n $(ss -ltnH "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

require_free_port() {
  local port=$1 variable=$2 what=$3
  if port_listening "$port"; then
    echo "${0##*/}: cannot start $what on port $port: it is held by $(port_holder "$port")." >&2
    echo "${0##*/}: stop that process, or choose another port with $variable=<port>." >&2
    exit 1
  fi
}
