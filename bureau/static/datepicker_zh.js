/* The date pickers of the console's forms and filters in Chinese. Flask-Admin's form.js starts
   bootstrap-daterangepicker (1.3) with no locale, so it shows "Su Mo Tu" and Apply/Cancel; every
   call is given the Chinese one. form.js announces itself with `adminFormReady` as it loads, after
   the picker and before the page is ready, when it starts the pickers. */
(function ($) {
  'use strict';
  var CHINESE = {
    applyLabel: '确定',
    cancelLabel: '取消',
    fromLabel: '从',
    toLabel: '至',
    weekLabel: '周',
    customRangeLabel: '自定义',
    daysOfWeek: ['日', '一', '二', '三', '四', '五', '六'],
    monthNames: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    firstDay: 0
  };

  $(document).on('adminFormReady', function () {
    var picker = $.fn.daterangepicker;
    if (!picker || picker.chinese) {
      return;
    }
    $.fn.daterangepicker = function (options, callback) {
      return picker.call(this, $.extend(true, {locale: CHINESE}, options), callback);
    };
    $.fn.daterangepicker.chinese = true;
  });
})(jQuery);
