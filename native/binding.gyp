{
  "targets": [
    {
      "target_name": "infodyn_native",
      "sources": ["kernel.c"],
      "cflags": ["-O3", "-march=native", "-fno-fast-math", "-ffp-contract=off", "-fopenmp-simd", "-pthread"],
      "libraries": ["-lopenblas", "-lpthread", "-lm"]
    }
  ]
}
