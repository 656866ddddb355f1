#define _GNU_SOURCE
#include <node_api.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
static napi_value Syncfs(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) { napi_throw_type_error(env, NULL, "syncfs(fd): fd must be an integer"); return NULL; }
  if (syncfs(fd) != 0) { napi_throw_error(env, "ESYNCFS", strerror(errno)); return NULL; }
  return NULL;
}
static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn; napi_create_function(env, "syncfs", NAPI_AUTO_LENGTH, Syncfs, NULL, &fn);
  napi_set_named_property(env, exports, "syncfs", fn); return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
