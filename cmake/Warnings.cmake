# Warnings apply to modir's own targets only; third-party headers are included as SYSTEM.
function(modir_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wcast-align -Wunused -Woverloaded-virtual)
endfunction()
