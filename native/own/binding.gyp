{
  "targets": [
    {
      "target_name": "infodyn_native",
      "sources": ["../kernel.c", "../gemm.c"],
      "defines": ["INFODYN_OWN_GEMM"],
      "cflags": ["-O3", "-std=gnu11", "-fno-fast-math", "-ffp-contract=off", "-fopenmp-simd", "-pthread"],
      "libraries": ["-lpthread", "-lm"]
    }
  ]
}
