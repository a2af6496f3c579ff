# Run by gdb-locals.test after `nuthatch-connect PORT`: a hardware breakpoint
# (the program is not mapped yet) on the return line of sum_of_squares, then
# its locals, as a student debugging with OPT=-Og would see them.
nuthatch-user sumsquares
hbreak p-sumsquares.cc:18
continue
info args
info locals
print total
print total * 2
delete
detach
