// OpenBLAS as Debian ships it (libopenblas-dev): CBLAS, plus the Fortran LAPACK symbols.
// Debian exports dsyevd_, dgesdd_ ... but no LAPACKE_ functions, so the Fortran prototypes
// are declared here: column-major, every argument by pointer, gfortran's hidden string
// lengths (size_t) appended at the end.
#ifndef GROKLAB_COPENBLAS_SHIM_H
#define GROKLAB_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

// Symmetric eigenvalues (divide and conquer).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
// Singular value decomposition (divide and conquer).
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);

#endif
