/* fanout N cmd [args...]: starts N copies of cmd at once and waits for all;
 * exits 1 if any failed. The benchmark times `fanout 16 pack` against
 * `fanout 1 pack`, so both sides carry the same fork/wait overhead. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: fanout N cmd [args...]\n"); return 2; }
  int n = atoi(argv[1]);
  if (n < 1) { fprintf(stderr, "fanout: N must be at least 1, got %s\n", argv[1]); return 2; }
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) { perror("fanout: fork"); return 1; }
    if (pid == 0) { execvp(argv[2], argv + 2); perror("fanout: exec"); _exit(127); }
  }
  int failed = 0, status;
  while (wait(&status) > 0) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
  }
  return failed;
}
